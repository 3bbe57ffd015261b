import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Mynah, PackSummary } from '../client';
import type { ConvertFiles, ConvertProgress } from '../pack/convert';
import type { PackManifest } from '../pack/manifest';
import { MODEL_FAMILIES, SV_CHECKPOINT_NAME } from '../pack/versions';
import { DEFAULT_PACK_PATH } from '../pack/default';
import { assetUrl } from './assets';
import { controls, emit, errorDetail, formatBytes, panel, reportError } from './shared';

/** Where the loaded pack came from; remembered so a reload loads the same one. */
export type PackSource = { kind: 'default' } | { kind: 'url'; url: string } | { kind: 'stored'; id: string };

const REMEMBER_KEY = 'mynah.pack';

function remembered(): PackSource {
  try {
    const s = JSON.parse(localStorage.getItem(REMEMBER_KEY) ?? 'null') as PackSource | null;
    if (s?.kind === 'url' && typeof s.url === 'string') return s;
    if (s?.kind === 'stored' && typeof s.id === 'string') return s;
  } catch {
    // storage blocked or a damaged entry: start from the default pack
  }
  return { kind: 'default' };
}

function remember(s: PackSource): void {
  try {
    localStorage.setItem(REMEMBER_KEY, JSON.stringify(s));
  } catch {
    // private mode without storage: nothing to remember
  }
}

type Slot = keyof ConvertFiles;
const SLOTS: { slot: Slot; label: string; hint: string; accept: string; required: boolean }[] = [
  { slot: 'gpt', label: 'GPT model (.ckpt)', hint: 'From GPT_weights_v2/, e.g. my-voice-e15.ckpt', accept: '.ckpt', required: true },
  { slot: 'sovits', label: 'SoVITS model (.pth)', hint: 'From SoVITS_weights_v2/, e.g. my-voice_e8_s200.pth', accept: '.pth', required: true },
  {
    slot: 'sv',
    label: 'Speaker-verification model (v2Pro / v2ProPlus only)',
    hint: `Only for v2Pro and v2ProPlus models: ${SV_CHECKPOINT_NAME} from GPT_SoVITS/pretrained_models/sv/`,
    accept: '.ckpt',
    required: false,
  },
  {
    slot: 'sovitsBase',
    label: 'Base SoVITS model (v3 / v4 LoRA only)',
    hint: 'Only for v3/v4 LoRA fine-tunes: s2Gv4.pth from GPT_SoVITS/pretrained_models/gsv-v4-pretrained/ (v3: s2Gv3.pth)',
    accept: '.pth',
    required: false,
  },
  {
    slot: 'vocoder',
    label: 'Vocoder (v3 / v4 only)',
    hint: 'v4: vocoder.pth from GPT_SoVITS/pretrained_models/gsv-v4-pretrained/; v3: bigvgan_generator.pt from models--nvidia--bigvgan_v2_24khz_100band_256x/',
    accept: '.pth,.pt',
    required: false,
  },
  { slot: 'hubert', label: 'HuBERT weights', hint: 'chinese-hubert-base/pytorch_model.bin or model.safetensors', accept: '.bin,.safetensors', required: true },
  { slot: 'hubertConfig', label: 'HuBERT config.json (optional)', hint: 'Only needed for a non-standard HuBERT', accept: '.json', required: false },
  { slot: 'roberta', label: 'Chinese RoBERTa weights (optional)', hint: 'chinese-roberta-wwm-ext-large/pytorch_model.bin; without it Chinese gets no BERT features', accept: '.bin,.safetensors', required: false },
  { slot: 'robertaConfig', label: 'RoBERTa config.json (optional)', hint: 'Only needed for a non-standard RoBERTa', accept: '.json', required: false },
  { slot: 'robertaVocab', label: 'RoBERTa vocabulary (with the RoBERTa)', hint: 'chinese-roberta-wwm-ext-large/tokenizer.json or vocab.txt', accept: '.json,.txt', required: false },
];

/** Which slot a dropped .pth goes to: upstream's v4 vocoder, a pretrained v3/v4 base, else the SoVITS model. */
export function pthSlot(name: string, path = name): 'vocoder' | 'sovitsBase' | 'sovits' {
  const n = name.toLowerCase();
  const p = path.toLowerCase();
  if (n.includes('vocoder') || n.includes('bigvgan')) return 'vocoder';
  if (/^s2gv[34]\.pth$/.test(n) || (p.includes('gsv-v4-pretrained/') && n.startsWith('s2g'))) return 'sovitsBase';
  return 'sovits';
}

/** What each missing-file error asks for. */
const MISSING_SLOTS: Record<string, { slot: Slot; need: string }> = {
  SV_MODEL_MISSING: { slot: 'sv', need: `this SoVITS model is v2Pro or v2ProPlus. Add ${SV_CHECKPOINT_NAME}` },
  SOVITS_BASE_MISSING: { slot: 'sovitsBase', need: "this SoVITS model is a v3/v4 LoRA fine-tune. Add upstream's s2Gv4.pth (v3: s2Gv3.pth)" },
  VOCODER_MISSING: { slot: 'vocoder', need: "this SoVITS model is v3 or v4. Add its vocoder (v4: gsv-v4-pretrained's vocoder.pth; v3: BigVGAN's bigvgan_generator.pt)" },
};

/** A dropped .ckpt that is the speaker-verification model rather than a GPT model (by its name or folder). */
export function isSvCheckpoint(name: string, path = name): boolean {
  const n = name.toLowerCase();
  const p = path.toLowerCase();
  return n === SV_CHECKPOINT_NAME || n.includes('eres2net') || /(^|[-_.])sv([-_.]|$)/.test(n.replace(/\.ckpt$/, '')) || /(^|\/)sv\//.test(p);
}

// Tokenizer side files of an HF model folder that conversion does not need.
const UNUSED_JSON = new Set(['tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', 'preprocessor_config.json']);

/**
 * Step 1 of the Studio: which model pack the engine runs. The app's own pack loads by itself on
 * first visit; a pack.json URL or the user's own GPT-SoVITS files (converted here, in the worker,
 * and stored in the browser) can replace it.
 */
@customElement('mynah-pack-panel')
export class PackPanel extends LitElement {
  @property({ attribute: false }) client?: Mynah;
  /** The pack the engine has loaded. */
  @property({ attribute: false }) pack?: PackSummary;
  @state() private busy = '';
  @state() private progress?: { value: number; max: number; text: string };
  @state() private mode: 'default' | 'url' | 'convert' | 'stored' = 'default';
  @state() private url = '';
  @state() private files: Partial<Record<Slot, File>> = {};
  @state() private stored: PackManifest[] = [];
  @state() private status = '';
  /** Notes from the last conversion's report (e.g. a file that was not needed). */
  @state() private notes: string[] = [];
  /** The last conversion needed one more file (speaker verification, base model, vocoder): its slot. */
  @state() private missingSlot?: Slot;
  /** Where the loaded pack came from. */
  @state() private source?: PackSource;
  private started = false;

  static styles = [
    panel,
    controls,
    css`
      fieldset { border: 0; padding: 0; margin: 0.5rem 0; }
      legend { font-weight: 600; margin-bottom: 0.3rem; }
      .modes { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; }
      .modes label { display: inline-flex; align-items: center; gap: 0.35em; font-weight: 400; }
      .current { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.8rem; margin: 0.3rem 0 0.6rem; font-size: 0.95rem; }
      .current dt { color: var(--mynah-muted); }
      .current dd { margin: 0; overflow-wrap: anywhere; }
      .slots { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 0 1rem; }
      .drop { border: 2px dashed var(--mynah-border); border-radius: 0.6rem; padding: 0.7rem; text-align: center; color: var(--mynah-muted); margin: 0.5rem 0; }
      .drop.over { border-color: var(--mynah-accent); color: var(--mynah-fg); }
      ul { list-style: none; padding: 0; margin: 0.3rem 0; }
      li { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; padding: 0.3rem 0; border-bottom: 1px solid var(--mynah-border); }
      li span { flex: 1 1 12rem; }
      .progress { margin: 0.5rem 0; }
      .progress p { margin: 0.2rem 0; font-size: 0.9rem; }
      .field.missing input { border: 2px solid var(--mynah-danger); }
      .missing .hint { color: var(--mynah-danger); }
      ul.notes { list-style: disc; margin: 0.3rem 0 0; padding-left: 1.2rem; }
      .notes li { display: list-item; border: 0; padding: 0.1rem 0; }
    `,
  ];

  protected willUpdate(): void {
    // The first client we are given: load the pack the user had last time (or the app's own).
    if (this.client && !this.started) {
      this.started = true;
      const s = remembered();
      this.mode = s.kind === 'url' ? 'url' : s.kind === 'stored' ? 'stored' : 'default';
      if (s.kind === 'url') this.url = s.url;
      void this.refreshStored();
      void this.load(s, true);
    }
  }

  private async refreshStored(): Promise<void> {
    try {
      this.stored = (await this.client?.listStoredPacks()) ?? [];
    } catch (e) {
      reportError(this, e);
    }
  }

  /** Loads a pack; on a failed automatic load of a remembered pack, falls back to the app's own. */
  async load(source: PackSource, automatic = false): Promise<void> {
    const client = this.client;
    if (!client || this.busy) return;
    this.busy = source.kind === 'stored' ? 'Loading the stored pack…' : 'Downloading the model pack…';
    this.status = this.busy;
    this.progress = undefined;
    this.notes = [];
    try {
      let summary: PackSummary;
      if (source.kind === 'stored') summary = await client.loadStoredPack(source.id);
      else
        summary = await client.loadPack(source.kind === 'url' ? source.url : assetUrl(DEFAULT_PACK_PATH), (p) => {
          this.progress = { value: p.loaded, max: p.total, text: `${p.file} · ${formatBytes(p.loaded)} of ${formatBytes(p.total)}` };
        });
      remember(source);
      this.source = source;
      this.loaded(summary);
    } catch (e) {
      this.busy = '';
      this.status = 'The model pack did not load.';
      reportError(this, e);
      if (automatic && source.kind !== 'default') {
        this.mode = 'default';
        await this.load({ kind: 'default' });
      }
    } finally {
      this.busy = '';
      this.progress = undefined;
    }
  }

  private loaded(summary: PackSummary): void {
    this.pack = summary;
    this.status = `Model pack “${summary.manifest.name}” is loaded.`;
    emit(this, 'pack-loaded', summary);
  }

  private async convert(): Promise<void> {
    const client = this.client;
    const f = this.files;
    if (!client || this.busy || !f.gpt || !f.sovits || !f.hubert || (f.roberta && !f.robertaVocab)) return;
    this.busy = 'Converting your model files…';
    this.status = this.busy;
    this.progress = { value: 0, max: 1, text: 'Starting…' };
    this.notes = [];
    this.missingSlot = undefined;
    try {
      const files: ConvertFiles = {
        gpt: f.gpt,
        sovits: f.sovits,
        hubert: f.hubert,
        hubertConfig: f.hubertConfig,
        roberta: f.roberta,
        robertaConfig: f.robertaConfig,
        robertaVocab: f.roberta ? f.robertaVocab : undefined,
        sv: f.sv,
        sovitsBase: f.sovitsBase,
        vocoder: f.vocoder,
      };
      const { summary, report } = await client.convertPack(files, {}, (p: ConvertProgress) => {
        // Reading the files is quick next to building the graphs: give it the first fifth.
        const readShare = 0.2;
        const value = p.phase === 'reading' ? (p.done / p.total) * readShare : readShare + (p.done / p.total) * (1 - readShare);
        this.progress = { value, max: 1, text: p.phase === 'reading' ? `Reading ${p.name} (${p.done + 1} of ${p.total})` : `Building ${p.name} (${p.done + 1} of ${p.total})` };
      });
      remember((this.source = { kind: 'stored', id: summary.manifest.id }));
      this.files = {};
      await this.refreshStored();
      this.loaded(summary);
      this.notes = report.warnings;
      if (report.warnings.length) this.status += ` ${report.warnings.length === 1 ? 'One note' : `${report.warnings.length} notes`} below.`;
    } catch (e) {
      const { code } = errorDetail(e);
      const missing = code ? MISSING_SLOTS[code] : undefined;
      if (missing) {
        // Point at the one slot that needs a file; the banner has the whole message.
        this.missingSlot = missing.slot;
        const label = SLOTS.find((s) => s.slot === missing.slot)!.label;
        this.status = `Conversion failed; nothing was stored. ${missing.need[0].toUpperCase()}${missing.need.slice(1)} in the “${label}” slot and convert again.`;
        void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>(`#slot-${missing.slot}`)?.focus());
      } else this.status = 'Conversion failed; nothing was stored.';
      reportError(this, e);
    } finally {
      this.busy = '';
      this.progress = undefined;
    }
  }

  private async deleteStored(id: string): Promise<void> {
    try {
      await this.client?.deleteStoredPack(id);
      await this.refreshStored();
      this.status = `Pack ${id} was deleted from this browser.`;
    } catch (e) {
      reportError(this, e);
    }
  }

  private pick(slot: Slot, file: File | undefined): void {
    this.files = { ...this.files, [slot]: file };
    if (slot === this.missingSlot && file) this.missingSlot = undefined;
  }

  /** Files dropped on the zone go to the slot their name suggests. */
  private dropped(list: FileList | null | undefined): void {
    const next = { ...this.files };
    const left: string[] = [];
    for (const file of Array.from(list ?? [])) {
      const n = file.name.toLowerCase();
      const path = ((file as File & { webkitRelativePath?: string }).webkitRelativePath || n).toLowerCase();
      if (n.endsWith('.ckpt') && isSvCheckpoint(n, path)) {
        next.sv = file;
      } else if (n.endsWith('.ckpt')) next.gpt = file;
      else if (n.endsWith('.pth') || n.endsWith('.pt')) next[pthSlot(n, path)] = file;
      else if (n === 'tokenizer.json' || (n.endsWith('.txt') && n.includes('vocab'))) next.robertaVocab = file;
      else if (UNUSED_JSON.has(n)) left.push(file.name);
      else if (/roberta|bert-/.test(path)) n.endsWith('.json') ? (next.robertaConfig = file) : (next.roberta = file);
      else if (n.endsWith('.json')) next.hubertConfig = file;
      else if (/\.(bin|safetensors)$/.test(n)) {
        if (!next.hubert || /hubert/.test(path)) next.hubert = file;
        else next.roberta = file;
      } else left.push(file.name);
    }
    this.files = next;
    if (this.missingSlot && next[this.missingSlot]) this.missingSlot = undefined;
    this.status = left.length ? `Not used: ${left.join(', ')} (expected .ckpt, .pth, .bin, .safetensors, config.json, tokenizer.json or vocab.txt).` : 'Files assigned; check the slots below.';
  }

  private renderCurrent() {
    const p = this.pack;
    if (!p) return html`<p class="hint">${this.busy ? 'Loading…' : 'No model pack loaded yet.'}</p>`;
    const m = p.manifest;
    return html`<dl class="current" aria-label="Loaded model pack">
        <dt>Pack</dt><dd>${m.name} <small>(${m.id})</small></dd>
        <dt>Model</dt><dd>${MODEL_FAMILIES[m.version]?.label ?? `GPT-SoVITS ${m.version}`}, ${m.sampleRate / 1000} kHz${MODEL_FAMILIES[m.version]?.speakerVerification ? html` <small>(with speaker verification)</small>` : nothing}</dd>
        <dt>Size</dt><dd>${formatBytes(p.bytes)} in ${m.files.length} files</dd>
        <dt>Weights</dt><dd>${m.weights}</dd>
        <dt>Chinese BERT</dt><dd>${p.bert?.available ? 'Yes' : 'No'}${p.bert ? html` <small>${p.bert.note}</small>` : nothing}</dd>
      </dl>
      ${m.weights.startsWith('random')
        ? html`<p class="warn">This pack has <strong>random weights</strong>: it runs the whole pipeline, but what it says sounds like noise. For real speech, load a trained pack or convert your own GPT-SoVITS files below.</p>`
        : nothing}`;
  }

  private renderMode() {
    switch (this.mode) {
      case 'default':
        return this.source?.kind === 'default' && this.pack
          ? html`<p class="hint">The pack that comes with this app is in use.</p>`
          : html`<p class="hint">The pack that comes with this app.</p>
              <button class="primary" ?disabled=${!!this.busy || !this.client} @click=${() => this.load({ kind: 'default' })}>Load the built-in pack</button>`;
      case 'url':
        return html`<form @submit=${(e: Event) => (e.preventDefault(), this.load({ kind: 'url', url: new URL(this.url, document.baseURI).href }))}>
          <div class="field">
            <label for="pack-url">Address of a pack.json</label>
            <input id="pack-url" type="url" required placeholder="https://example.org/packs/my-voice/pack.json" .value=${this.url} @input=${(e: InputEvent) => (this.url = (e.target as HTMLInputElement).value)} />
            <span class="hint">The server must allow this page to read it (CORS). Files are checked against their sha256.</span>
          </div>
          <button class="primary" type="submit" ?disabled=${!!this.busy || !this.client || !this.url.trim()}>Download and load</button>
        </form>`;
      case 'convert': {
        const needsVocab = !!this.files.roberta && !this.files.robertaVocab;
        const ready = !!(this.files.gpt && this.files.sovits && this.files.hubert) && !needsVocab;
        return html`<p class="hint">Your GPT-SoVITS v1, v2, v2Pro, v2ProPlus, v3 or v4 files are converted here, in this browser, and stored for next time. Nothing is uploaded.</p>
          <div class="drop" @dragover=${(e: DragEvent) => (e.preventDefault(), (e.currentTarget as HTMLElement).classList.add('over'))}
            @dragleave=${(e: DragEvent) => (e.currentTarget as HTMLElement).classList.remove('over')}
            @drop=${(e: DragEvent) => (e.preventDefault(), (e.currentTarget as HTMLElement).classList.remove('over'), this.dropped(e.dataTransfer?.files))}>
            Drop the files here, or choose each one below.
          </div>
          <div class="slots">
            ${SLOTS.map(
              (s) => {
                const missing = s.slot === this.missingSlot && !this.files[s.slot];
                return html`<div class="field ${missing ? 'missing' : ''}">
                  <label for="slot-${s.slot}">${s.label}</label>
                  <input id="slot-${s.slot}" type="file" accept=${s.accept} aria-describedby="slot-${s.slot}-hint" aria-invalid=${missing ? 'true' : 'false'}
                    @change=${(e: Event) => this.pick(s.slot, (e.target as HTMLInputElement).files?.[0])} />
                  <span class="hint" id="slot-${s.slot}-hint">${this.files[s.slot]
                    ? html`Chosen: ${this.files[s.slot]!.name} (${formatBytes(this.files[s.slot]!.size)})`
                    : missing
                      ? `Needed: ${Object.values(MISSING_SLOTS).find((m) => m.slot === s.slot)!.need} here.`
                      : s.hint}</span>
                </div>`;
              },
            )}
          </div>
          <button class="primary" ?disabled=${!!this.busy || !this.client || !ready} @click=${this.convert}>Convert and load</button>
          ${ready ? nothing : html`<span class="hint">${needsVocab ? 'The RoBERTa also needs its tokenizer.json or vocab.txt.' : 'The GPT, SoVITS and HuBERT files are required.'}</span>`}`;
      }
      case 'stored':
        return this.stored.length
          ? html`<ul aria-label="Packs stored in this browser">
              ${this.stored.map(
                (m) => html`<li>
                  <span>${m.name} <small>(${m.id}, ${m.version}, ${formatBytes(m.files.reduce((a, f) => a + f.bytes, 0))})</small></span>
                  <button class="small" ?disabled=${!!this.busy} @click=${() => this.load({ kind: 'stored', id: m.id })} aria-label="Load pack ${m.name}">Load</button>
                  <button class="small danger" ?disabled=${!!this.busy || this.pack?.manifest.id === m.id} @click=${() => this.deleteStored(m.id)} aria-label="Delete pack ${m.name}">Delete</button>
                </li>`,
              )}
            </ul>`
          : html`<p class="hint">No converted packs are stored in this browser yet.</p>`;
    }
  }

  render() {
    const modes: [typeof this.mode, string][] = [
      ['default', 'Built-in'],
      ['url', 'From a URL'],
      ['convert', 'Convert my GPT-SoVITS files'],
      ['stored', `Stored in this browser (${this.stored.length})`],
    ];
    return html`<h2 id="pack-title">1 · Model pack</h2>
      ${this.renderCurrent()}
      <fieldset>
        <legend>Load a pack</legend>
        <div class="modes" role="radiogroup" aria-label="Pack source">
          ${modes.map(
            ([m, label]) => html`<label><input type="radio" name="pack-mode" .checked=${this.mode === m} @change=${() => ((this.mode = m), m === 'stored' && this.refreshStored())} />${label}</label>`,
          )}
        </div>
      </fieldset>
      ${this.renderMode()}
      ${this.progress
        ? html`<div class="progress">
            <progress aria-label="Model pack progress" max=${this.progress.max} .value=${this.progress.value}></progress>
            <p>${this.progress.text}</p>
          </div>`
        : nothing}
      <p class="hint" role="status" aria-live="polite">${this.status}</p>
      ${this.notes.length
        ? html`<div class="warn"><strong>Notes from the conversion</strong><ul class="notes" aria-label="Notes from the conversion">${this.notes.map((n) => html`<li>${n}</li>`)}</ul></div>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-pack-panel': PackPanel;
  }
}
