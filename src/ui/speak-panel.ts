import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { encodeWav } from '../audio/wav';
import type { Mynah, PackSummary, SynthesisOptions, SynthesisReport, Voice } from '../client';
import { DEFAULT_SAMPLING } from '../engine/sampling';
import { MODEL_FAMILIES } from '../pack/versions';
import { splitText, type CutMethod, type LangMode } from '../text/segment';
import { detectLanguages, LANG_NAMES } from './reference-panel';
import { controls, emit, errorDetail, fileSafe, formatSec, panel, reportError, saveFile } from './shared';
import { SpeechOutput, SpeechSession } from './speech-session';

export const CUT_NAMES: Record<CutMethod, string> = {
  cut0: "Don't split",
  cut1: 'Every four sentences',
  cut2: 'About every 50 characters',
  cut3: 'At Chinese full stops (。)',
  cut4: 'At English full stops (.)',
  cut5: 'At every punctuation mark (default)',
};

/** Upstream's limit on tokens per fragment: 1500 tokens = 60 s at 25 tokens/s. */
const MAX_TOKENS = 1500;
const TOKENS_PER_SEC = 25;

export interface SpeakSettings {
  topK: number;
  topP: number;
  temperature: number;
  repetitionPenalty: number;
  /** Empty: a new random seed each time. */
  seed: string;
  speed: number;
  cut: CutMethod;
  pauseSec: number;
  maxTokens: number;
  /** v3/v4 sampling steps; 0 = the version's default (upstream's UI: v3 32, v4 8). */
  sampleSteps: number;
}

export const DEFAULT_SETTINGS: SpeakSettings = { ...DEFAULT_SAMPLING, seed: '', speed: 1, cut: 'cut5', pauseSec: 0.3, maxTokens: MAX_TOKENS, sampleSteps: 0 };
const SETTINGS_KEY = 'mynah.settings';

function loadSettings(): SpeakSettings {
  try {
    return { ...DEFAULT_SETTINGS, ...(JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<SpeakSettings>) };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/** A rough length guess for a progress bar: speech runs at ~14 Latin letters, ~4.5 Han or ~8 kana a second. */
function expectedTokens(text: string, cap: number): number {
  let sec = 0;
  for (const ch of text) {
    if (/\p{Script=Han}/u.test(ch)) sec += 1 / 4.5;
    else if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(ch)) sec += 1 / 8;
    else if (/[\p{L}\p{N}]/u.test(ch)) sec += 1 / 14;
  }
  return Math.max(8, Math.min(cap, Math.round(sec * TOKENS_PER_SEC)));
}

interface Fragment {
  text: string;
  tokens: number;
  expected: number;
  done: boolean;
}

/**
 * Step 4 of the Studio: text in, speech out. Streams as it is generated, shows each fragment's
 * progress, stops on request, and saves what was made as a WAV file.
 */
@customElement('mynah-speak-panel')
export class SpeakPanel extends LitElement {
  @property({ attribute: false }) client?: Mynah;
  @property({ attribute: false }) voice?: Voice;
  @property({ attribute: false }) pack?: PackSummary;
  @state() private text = '';
  @state() private textLang: LangMode = 'auto';
  @state() private settings: SpeakSettings = loadSettings();
  @state() private session?: SpeechSession;
  @state() private fragments: Fragment[] = [];
  @state() private status = '';
  @state() private result?: { pcm: Float32Array; sampleRate: number; report?: SynthesisReport; voiceName: string };
  @state() private producedSec = 0;
  /** For a passphrase-locked voice; kept only in this element, never stored. */
  @state() private passphrase = '';
  private readonly output = new SpeechOutput();

  static styles = [
    panel,
    controls,
    css`
      .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; }
      .settings select { width: 100%; }
      .settings { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 0 1rem; }
      details { margin: 0.6rem 0; border: 1px solid var(--mynah-border); border-radius: 0.5rem; padding: 0.3rem 0.8rem; }
      summary { cursor: pointer; font-weight: 600; padding: 0.3rem 0; }
      ol { padding-left: 1.4rem; margin: 0.5rem 0; }
      ol li { margin: 0.3rem 0; }
      .frag { display: flex; justify-content: space-between; gap: 0.5rem; font-size: 0.9rem; }
      .frag span:first-child { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .frag span:last-child { color: var(--mynah-muted); white-space: nowrap; }
      .report { font-size: 0.9rem; color: var(--mynah-muted); }
      @media (max-width: 36rem) { .cols { grid-template-columns: 1fr; } }
    `,
  ];

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    // A passphrase belongs to one voice.
    if (changed.has('voice') && (changed.get('voice') as Voice | undefined)?.id !== this.voice?.id) this.passphrase = '';
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.session?.stop();
    void this.output.close();
  }

  private get blocked(): string {
    if (!this.client) return 'The engine is starting…';
    if (!this.pack) return 'Load a model pack first (step 1).';
    if (!this.voice) return 'Clone a voice (step 2) or pick one from your voices (step 3).';
    if (this.voice.packId !== this.pack.manifest.id)
      return `The voice “${this.voice.name}” was made with pack “${this.voice.packId}”, but “${this.pack.manifest.id}” is loaded. Load that pack, or clone the voice again with this one.`;
    if (this.voice.locked && !this.passphrase) return `The voice “${this.voice.name}” is locked: enter its passphrase.`;
    if (!this.text.trim()) return 'Type something to say.';
    return '';
  }

  private options(): SynthesisOptions & { passphrase?: string } {
    const s = this.settings;
    const seed = s.seed.trim() === '' ? undefined : Number(s.seed);
    return {
      lang: this.textLang,
      cut: s.cut,
      topK: s.topK,
      topP: s.topP,
      temperature: s.temperature,
      repetitionPenalty: s.repetitionPenalty,
      speed: s.speed,
      pauseSec: s.pauseSec,
      maxTokens: s.maxTokens,
      ...(this.flow && s.sampleSteps > 0 ? { sampleSteps: s.sampleSteps } : {}),
      ...(this.voice?.locked ? { passphrase: this.passphrase } : {}),
      ...(seed !== undefined && Number.isFinite(seed) ? { seed: Math.trunc(seed) } : {}),
    };
  }

  private speak(): void {
    if (this.blocked || this.session || !this.client || !this.voice) return;
    const opts = this.options();
    let pieces: string[];
    try {
      pieces = splitText(this.text, opts.cut ?? 'cut5', 510, opts.lang ?? 'auto');
    } catch {
      pieces = [this.text];
    }
    this.fragments = pieces.map((t) => ({ text: t, tokens: 0, expected: expectedTokens(t, opts.maxTokens ?? MAX_TOKENS), done: false }));
    this.result = undefined;
    this.producedSec = 0;
    this.status = 'Generating…';
    // Created inside the click, so the browser lets the audio start.
    const output = this.output.prepare(this.pack?.manifest.sampleRate);
    const voiceName = this.voice.name;
    const session = new SpeechSession(this.client, this.text, this.voice.id, opts, output, {
      onPlaying: () => (this.status = 'Speaking…'),
      onProgress: (p) => {
        if (!this.session) return;
        this.status = `Fragment ${p.segment + 1} of ${p.segments}: sampling step ${p.step} of ${p.steps}${p.chunk ? ` (part ${p.chunk + 1})` : ''}…`;
      },
      onChunk: (c) => {
        this.producedSec += c.pcm.length / c.sampleRate;
        if (c.kind !== 'speech') return;
        const frags = [...this.fragments];
        // The engine splits the same way; if it ever differs, grow the list rather than lose progress.
        while (frags.length < c.segments) frags.push({ text: '…', tokens: 0, expected: 50, done: false });
        const f = frags[c.segment];
        frags[c.segment] = { ...f, tokens: c.tokens, expected: Math.max(f.expected, c.tokens), done: c.segmentDone };
        this.fragments = frags;
      },
    });
    this.session = session;
    session.done
      .then((o) => {
        this.result = { pcm: o.pcm, sampleRate: o.sampleRate, report: o.report, voiceName };
        if (o.report) this.fragments = this.fragments.map((f, i) => ({ ...f, done: true, tokens: o.report!.segments[i]?.tokens ?? f.tokens, expected: o.report!.segments[i]?.tokens ?? f.expected }));
        this.status = o.cancelled ? `Stopped. ${formatSec(o.pcm.length / o.sampleRate)} of audio was made.` : `Done: ${formatSec(o.pcm.length / o.sampleRate)} of audio.`;
      })
      .catch((e) => {
        this.status = `Speaking failed: ${errorDetail(e).message}`;
        reportError(this, e);
      })
      .finally(() => {
        this.session = undefined;
        emit(this, 'speech-finished', null);
      });
  }

  private stop(): void {
    this.status = 'Stopping…';
    void this.session?.stop();
  }

  private download(): void {
    const r = this.result;
    if (!r || !r.pcm.length) return;
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    saveFile(encodeWav(r.pcm, r.sampleRate), `${fileSafe(r.voiceName)}-${stamp}.wav`, 'audio/wav');
  }

  private set<K extends keyof SpeakSettings>(key: K, value: SpeakSettings[K]): void {
    this.settings = { ...this.settings, [key]: value };
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(this.settings));
    } catch {
      // no storage: settings last for this visit
    }
  }

  /** The loaded pack's flow-matching settings (v3/v4), if any. */
  private get flow() {
    return this.pack ? MODEL_FAMILIES[this.pack.manifest.version]?.flowMatching : undefined;
  }

  private num(key: 'topK' | 'topP' | 'temperature' | 'repetitionPenalty' | 'speed' | 'pauseSec' | 'maxTokens' | 'sampleSteps', label: string, min: number, max: number, step: number, hint: string) {
    const id = `set-${key}`;
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} type="number" min=${min} max=${max} step=${step} .value=${String(this.settings[key])} aria-describedby="${id}-hint"
        @change=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          const v = Number(input.value);
          if (input.value === '' || !Number.isFinite(v)) return void (input.value = String(this.settings[key]));
          const clamped = Math.min(max, Math.max(min, v));
          input.value = String(clamped);
          this.set(key, clamped);
        }} />
      <span class="hint" id="${id}-hint">${hint}</span>
    </div>`;
  }

  private renderSettings() {
    const s = this.settings;
    return html`<details>
      <summary>Advanced settings</summary>
      <div class="settings">
        ${this.num('topK', 'Top-k', 1, 100, 1, 'Choose among this many likeliest tokens (15).')}
        ${this.num('topP', 'Top-p', 0.05, 1, 0.05, 'Keep the likeliest tokens up to this probability (1).')}
        ${this.num('temperature', 'Temperature', 0.05, 2, 0.05, 'Lower is steadier, higher more varied (1).')}
        ${this.num('repetitionPenalty', 'Repetition penalty', 1, 2, 0.05, 'Discourages repeating sounds (1.35).')}
        ${this.num('speed', 'Speed', 0.25, 4, 0.05, '1 is normal; other speeds stream per fragment.')}
        ${this.num('pauseSec', 'Pause between fragments (s)', 0, 2, 0.05, 'Silence after each fragment (0.3).')}
        ${this.num('maxTokens', 'Longest fragment (tokens)', 10, MAX_TOKENS, 10, '25 tokens are one second (1500).')}
        ${this.flow
          ? this.num('sampleSteps', 'Sampling steps (v3/v4)', 0, 128, 1, `More is finer and slower; 0 = upstream's ${this.flow.defaultSteps}.`)
          : nothing}
        <div class="field">
          <label for="set-seed">Seed</label>
          <input id="set-seed" inputmode="numeric" placeholder="random" .value=${s.seed} aria-describedby="set-seed-hint"
            @change=${(e: Event) => this.set('seed', (e.target as HTMLInputElement).value.replace(/[^\d]/g, ''))} />
          <span class="hint" id="set-seed-hint">Same seed, text and voice give the same audio. Empty: random.</span>
        </div>
        <div class="field">
          <label for="set-cut">How to split the text</label>
          <select id="set-cut" @change=${(e: Event) => this.set('cut', (e.target as HTMLSelectElement).value as CutMethod)}>
            ${Object.entries(CUT_NAMES).map(([v, n]) => html`<option value=${v} ?selected=${v === s.cut}>${n}</option>`)}
          </select>
        </div>
      </div>
      <button class="small" @click=${() => ((this.settings = { ...DEFAULT_SETTINGS }), localStorage.removeItem(SETTINGS_KEY))}>Reset to defaults</button>
    </details>`;
  }

  private renderProgress() {
    if (!this.fragments.length) return nothing;
    return html`<ol aria-label="Progress by fragment">
      ${this.fragments.map(
        (f, i) => html`<li>
          <div class="frag"><span title=${f.text}>${f.text}</span><span>${f.done ? `done · ${formatSec(f.tokens / TOKENS_PER_SEC)}` : f.tokens ? `${formatSec(f.tokens / TOKENS_PER_SEC)}…` : 'waiting'}</span></div>
          <progress aria-label="Fragment ${i + 1} of ${this.fragments.length}" max=${f.done ? 1 : f.expected} .value=${f.done ? 1 : f.tokens}></progress>
        </li>`,
      )}
    </ol>`;
  }

  private renderReport() {
    const r = this.result?.report;
    if (!r) return nothing;
    const rtf = r.audioSec > 0 ? r.totalMs / 1000 / r.audioSec : 0;
    return html`<p class="report">
        ${formatSec(r.audioSec)} of audio in ${formatSec(r.totalMs / 1000)} (${rtf.toFixed(2)}× real time) · first audio after ${formatSec(r.firstChunkMs / 1000)} · seed ${r.seed}
      </p>
      ${r.warnings.map((w) => html`<p class="warn">${w}</p>`)}`;
  }

  render() {
    const blocked = this.blocked;
    const busy = !!this.session;
    const detected = this.textLang === 'auto' && this.text.trim() ? detectLanguages(this.text) : [];
    return html`<h2>4 · Speak</h2>
      ${this.voice ? html`<p class="hint">Voice: <strong>${this.voice.name}</strong></p>` : nothing}
      ${this.voice?.locked
        ? html`<div class="field">
            <label for="speak-pass">Passphrase of this locked voice</label>
            <input id="speak-pass" type="password" autocomplete="off" .value=${this.passphrase} @input=${(e: InputEvent) => (this.passphrase = (e.target as HTMLInputElement).value)} />
          </div>`
        : nothing}
      <div class="field">
        <label for="speak-text">Text to speak</label>
        <textarea id="speak-text" rows="4" placeholder="Type what the voice should say, in Chinese, English or Japanese." .value=${this.text}
          @input=${(e: InputEvent) => (this.text = (e.target as HTMLTextAreaElement).value)}
          @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && (e.preventDefault(), this.speak())}
          aria-describedby="speak-hint"></textarea>
        <span class="hint" id="speak-hint">${detected.length ? `Detected: ${detected.map((l) => LANG_NAMES[l]).join(' + ')}. ` : ''}Ctrl+Enter speaks.</span>
      </div>
      <div class="cols">
        <div class="field">
          <label for="speak-lang">Language</label>
          <select id="speak-lang" @change=${(e: Event) => (this.textLang = (e.target as HTMLSelectElement).value as LangMode)}>
            ${Object.entries(LANG_NAMES).map(([v, n]) => html`<option value=${v} ?selected=${v === this.textLang}>${n}</option>`)}
          </select>
        </div>
      </div>
      ${this.renderSettings()}
      <div class="row">
        <button class="primary" ?disabled=${!!blocked || busy} @click=${this.speak}>Speak</button>
        <button ?disabled=${!busy} @click=${this.stop}>Stop</button>
        <button ?disabled=${busy || !this.result?.pcm.length} @click=${this.download}>Download WAV</button>
      </div>
      ${blocked && !busy ? html`<p class="hint">${blocked}</p>` : nothing}
      ${this.renderProgress()} ${this.renderReport()}
      <p class="hint" role="status" aria-live="polite">${this.status}</p>
      ${busy ? html`<p class="hint">${formatSec(this.producedSec)} of audio made so far.</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-speak-panel': SpeakPanel;
  }
}
