import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Mynah, Voice } from '../client';
import { MAX_VOICE_REFERENCES } from '../pack/versions';
import { controls, emit, fileSafe, panel, reportError, saveFile } from './shared';

/** How many recordings a voice combines: the main one plus any added later. */
export const voiceRecordings = (v: Voice): number => 1 + (v.auxRefs?.length ?? 0);

/**
 * The voices saved in this browser: pick one to speak with, rename, add recordings of the same
 * speaker (up to MAX_VOICE_REFERENCES in all), export to a file (to keep, move to another
 * browser, or embed with <mynah-speak voice-src>), import, delete. Each voice says which model
 * pack it was made with, since it only works with that pack.
 */
@customElement('mynah-voice-library')
export class VoiceLibrary extends LitElement {
  @property({ attribute: false }) client?: Mynah;
  @property({ attribute: false }) voices: Voice[] = [];
  /** Id of the voice in use. */
  @property() selected = '';
  /** Id of the loaded pack, to mark voices that need another one. */
  @property() packId = '';
  @state() private editing = '';
  @state() private draft = '';
  @state() private confirming = '';
  @state() private status = '';
  /** Voice whose "Add recordings" form is open, the files chosen for it, and the confirmation. */
  @state() private adding = '';
  @state() private addFiles: File[] = [];
  @state() private addSame = false;
  /** Voice whose recordings are being added right now. */
  @state() private working = '';

  static styles = [
    panel,
    controls,
    css`
      ul { list-style: none; padding: 0; margin: 0.4rem 0; }
      li { display: grid; grid-template-columns: auto 1fr; gap: 0.2rem 0.6rem; padding: 0.55rem 0; border-bottom: 1px solid var(--mynah-border); }
      li.selected { background: var(--mynah-surface); border-radius: 0.4rem; padding-inline: 0.4rem; }
      .pick { display: flex; align-items: center; gap: 0.5rem; font-weight: 600; overflow-wrap: anywhere; }
      .meta { grid-column: 2; color: var(--mynah-muted); font-size: 0.85rem; }
      .actions { grid-column: 2; display: flex; flex-wrap: wrap; gap: 0.3rem; }
      .other-pack { color: var(--mynah-danger); }
      form { display: flex; flex-wrap: wrap; gap: 0.3rem; grid-column: 2; }
      form.add { flex-direction: column; align-items: flex-start; gap: 0.3rem; border: 1px solid var(--mynah-border); border-radius: 0.5rem; padding: 0.5rem 0.7rem; }
      form.add .consent { display: flex; gap: 0.5rem; align-items: flex-start; font-weight: 400; }
      form.add .consent input { margin-top: 0.2rem; flex: none; }
      .import { display: inline-flex; }
      .import input { position: absolute; opacity: 0; width: 1px; height: 1px; }
      .import:focus-within { outline: 3px solid var(--mynah-focus); outline-offset: 2px; border-radius: 0.5em; }
    `,
  ];

  private changed(message: string): void {
    this.status = message;
    emit(this, 'voices-changed', null);
  }

  private async rename(v: Voice, e: Event): Promise<void> {
    e.preventDefault();
    const name = this.draft.trim();
    this.editing = '';
    if (!name || name === v.name || !this.client) return;
    try {
      await this.client.voices.rename(v.id, name);
      this.changed(`Renamed to “${name}”.`);
    } catch (err) {
      reportError(this, err);
    }
  }

  private async deleteVoice(v: Voice): Promise<void> {
    if (!this.client) return;
    this.confirming = '';
    try {
      await this.client.voices.delete(v.id);
      this.changed(`Deleted “${v.name}”.`);
    } catch (err) {
      reportError(this, err);
    }
  }

  private async exportVoice(v: Voice): Promise<void> {
    if (!this.client) return;
    try {
      saveFile(await this.client.voices.export(v.id), `${fileSafe(v.name)}.mynah-voice.json`, 'application/json');
      this.status = `Exported “${v.name}”. Keep the file private: anyone with it can speak in this voice.`;
    } catch (err) {
      reportError(this, err);
    }
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file || !this.client) return;
    try {
      const v = await this.client.voices.import(await file.text());
      this.changed(`Imported “${v.name}”.`);
      emit(this, 'voice-select', v.id);
    } catch (err) {
      reportError(this, err);
    }
  }

  private openAdd(v: Voice): void {
    this.adding = v.id;
    this.addFiles = [];
    this.addSame = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>(`#add-${CSS.escape(v.id)}`)?.focus());
  }

  private closeAdd(v: Voice): void {
    this.adding = '';
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>(`#add-open-${CSS.escape(v.id)}`)?.focus());
  }

  /** Adds the chosen recordings to a saved voice; its speaker embedding becomes the mean of all. */
  private async addRecordings(v: Voice, e: Event): Promise<void> {
    e.preventDefault();
    const files = this.addFiles;
    if (!this.client || !files.length || !this.addSame || this.working) return;
    this.working = v.id;
    this.status = `Adding ${files.length === 1 ? '1 recording' : `${files.length} recordings`} to “${v.name}”…`;
    try {
      const r = await this.client.addVoiceReferences(v.id, files);
      this.adding = '';
      this.changed(`Added ${files.length === 1 ? '1 recording' : `${files.length} recordings`} to “${r.voice.name}”: it now combines ${voiceRecordings(r.voice)} of ${MAX_VOICE_REFERENCES}.` + (r.warnings.length ? ` Note: ${r.warnings.join(' ')}` : ''));
    } catch (err) {
      this.status = `No recordings were added to “${v.name}”.`;
      reportError(this, err);
    } finally {
      this.working = '';
    }
  }

  private renderAdd(v: Voice) {
    const left = MAX_VOICE_REFERENCES - voiceRecordings(v);
    const id = `add-${v.id}`;
    const tooMany = this.addFiles.length > left;
    return html`<form class="add" aria-label="Add recordings to ${v.name}" @submit=${(e: Event) => this.addRecordings(v, e)}
      @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && !this.working && this.closeAdd(v)}>
      <label for=${id}>Recordings of the same speaker to add to ${v.name}</label>
      <input id=${id} type="file" multiple accept="audio/*,.wav,.mp3,.ogg,.flac,.m4a" aria-describedby="${id}-hint" ?disabled=${!!this.working}
        @change=${(e: Event) => (this.addFiles = Array.from((e.target as HTMLInputElement).files ?? []))} />
      <span class="hint" id="${id}-hint">${tooMany
        ? `That is ${this.addFiles.length} files; ${left === 1 ? 'only 1 more fits' : `only ${left} more fit`} (a voice combines at most ${MAX_VOICE_REFERENCES} recordings).`
        : `Up to ${left} more. They refine how the voice sounds; its transcript and main recording stay as they are.`}</span>
      <label class="consent"><input type="checkbox" .checked=${this.addSame} ?disabled=${!!this.working} @change=${(e: Event) => (this.addSame = (e.target as HTMLInputElement).checked)} />
        <span>These recordings are of the same person, and the consent recorded for this voice covers them.</span></label>
      <div class="row">
        <button class="small primary" type="submit" ?disabled=${!this.addFiles.length || tooMany || !this.addSame || !!this.working}>${this.working === v.id ? 'Adding…' : 'Add'}</button>
        <button class="small" type="button" ?disabled=${!!this.working} @click=${() => this.closeAdd(v)}>Cancel</button>
      </div>
    </form>`;
  }

  /** Why recordings can't be added to this voice right now, or '' when they can. */
  private addBlocked(v: Voice): string {
    if (v.locked) return 'Locked voices can’t take more recordings; unlock it first.';
    if (this.packId && v.packId !== this.packId) return `Load pack ${v.packId} to add recordings to this voice.`;
    if (voiceRecordings(v) >= MAX_VOICE_REFERENCES) return `This voice already combines ${MAX_VOICE_REFERENCES} recordings, the most there can be.`;
    return '';
  }

  private startEdit(v: Voice): void {
    this.editing = v.id;
    this.draft = v.name;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>(`#rename-${CSS.escape(v.id)}`)?.select());
  }

  private renderVoice(v: Voice) {
    const isSel = v.id === this.selected;
    const otherPack = this.packId && v.packId !== this.packId;
    return html`<li class=${isSel ? 'selected' : ''}>
      <input type="radio" name="voice" id="pick-${v.id}" .checked=${isSel} @change=${() => emit(this, 'voice-select', v.id)} />
      ${this.editing === v.id
        ? html`<form @submit=${(e: Event) => this.rename(v, e)} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (this.editing = '')}>
            <label class="sr-only" for="rename-${v.id}">New name for ${v.name}</label>
            <input id="rename-${v.id}" .value=${this.draft} @input=${(e: InputEvent) => (this.draft = (e.target as HTMLInputElement).value)} />
            <button class="small" type="submit">Save</button>
            <button class="small" type="button" @click=${() => (this.editing = '')}>Cancel</button>
          </form>`
        : html`<label class="pick" for="pick-${v.id}">${v.name}${v.locked ? html` <span title="Locked with a passphrase">🔒</span>` : nothing}</label>`}
      <div class="meta">
        ${new Date(v.created).toLocaleString()} · ${this.renderRecordings(v)}${v.promptLang} ·
        <span class=${otherPack ? 'other-pack' : ''}>pack ${v.packId}${otherPack ? ' (not the loaded pack)' : ''}</span>
        ${v.consent ? html` · <span title=${v.consent.statement}>speaker consent recorded ${new Date(v.consent.at).toLocaleDateString()}</span>` : nothing}
      </div>
      <div class="actions">
        <button class="small" @click=${() => this.startEdit(v)} aria-label="Rename ${v.name}">Rename</button>
        <button class="small" id="add-open-${v.id}" @click=${() => (this.adding === v.id ? this.closeAdd(v) : this.openAdd(v))} aria-label="Add recordings to ${v.name}"
          aria-expanded=${this.adding === v.id ? 'true' : 'false'} ?disabled=${!!this.addBlocked(v) || !!this.working} title=${this.addBlocked(v) || nothing}>Add recordings</button>
        <button class="small" @click=${() => this.exportVoice(v)} aria-label="Export ${v.name}">Export</button>
        ${this.confirming === v.id
          ? html`<button class="small danger" @click=${() => this.deleteVoice(v)} aria-label="Really delete ${v.name}">Really delete</button>
              <button class="small" @click=${() => (this.confirming = '')}>Keep</button>`
          : html`<button class="small danger" @click=${() => (this.confirming = v.id)} aria-label="Delete ${v.name}">Delete</button>`}
      </div>
      ${this.adding === v.id && !this.addBlocked(v) ? this.renderAdd(v) : nothing}
    </li>`;
  }

  /** "3.3 s reference · " or "3 recordings combined (3.3 s main + 4.0 s, 2.9 s) · ". */
  private renderRecordings(v: Voice): string {
    const main = v.refMeta?.durationSec ? `${v.refMeta.durationSec.toFixed(1)} s` : '';
    if (!v.auxRefs?.length) return main ? `${main} reference · ` : '';
    const more = v.auxRefs.map((r) => `${r.durationSec.toFixed(1)} s`).join(', ');
    return `${voiceRecordings(v)} recordings combined (${main ? `${main} main + ` : ''}${more}) · `;
  }

  render() {
    return html`<h2 id="library-title">3 · Your voices</h2>
      ${this.voices.length
        ? html`<ul aria-labelledby="library-title">${this.voices.map((v) => this.renderVoice(v))}</ul>`
        : html`<p class="hint">No voices yet. Clone one above, or import a voice file.</p>`}
      <label class="import button">
        Import a voice file…
        <input type="file" accept=".json,application/json" @change=${(e: Event) => this.importFile(e.target as HTMLInputElement)} />
      </label>
      <p class="hint">Voices are stored only in this browser.</p>
      <p class="hint" role="status" aria-live="polite">${this.status}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-voice-library': VoiceLibrary;
  }
}
