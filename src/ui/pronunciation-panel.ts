// "Pronunciation": the personal pronunciation list (add, replace, delete; stored in IndexedDB and
// applied in every synthesis) and "show phones" for any text, with the list applied.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Mynah, PronLang, PronunciationEntry, ShownPhones } from '../client';
import type { LangMode } from '../text/segment';
import { controls, panel } from './shared';

const HINTS: Record<PronLang, string> = {
  zh: 'pinyin with tone digits, one per character: zhang3 de5',
  en: 'ARPAbet (P R AE1 K T IH0 S) or "sounds like: pray tiss"',
  ja: 'kana: はし (accent: the mora where the pitch falls, 0 = flat)',
};

@customElement('mynah-pronunciation-panel')
export class PronunciationPanel extends LitElement {
  @property({ attribute: false }) client?: Mynah;
  @state() private entries: PronunciationEntry[] = [];
  @state() private word = '';
  @state() private entryLang: PronLang = 'en';
  @state() private pron = '';
  @state() private accent = '';
  @state() private error = '';
  @state() private phonesText = '';
  @state() private phonesLang: LangMode = 'auto';
  @state() private shown?: ShownPhones;
  /** Counts answers shown, so a reader (a test, assistive tech) can tell a fresh table from the last one. */
  @state() private shownRun = 0;
  @state() private busy = false;

  static styles = [
    panel,
    controls,
    css`
      :host { display: block; }
      .row { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: end; }
      .row label { display: flex; flex-direction: column; font-size: 0.85rem; }
      table { border-collapse: collapse; margin: 0.5rem 0; width: 100%; }
      td, th { border-bottom: 1px solid var(--mynah-border); padding: 0.2rem 0.4rem; text-align: left; font-size: 0.9rem; }
      .phones { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
      .err { color: var(--mynah-danger, #b00020); }
    `,
  ];

  connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  private async refresh() {
    if (!this.client) return;
    try {
      this.entries = await this.client.pronunciations.list();
    } catch {
      this.entries = [];
    }
  }

  updated(changed: Map<string, unknown>) {
    if (changed.has('client') && this.client) void this.refresh();
  }

  private async add() {
    if (!this.client) return;
    this.error = '';
    const entry: PronunciationEntry = { word: this.word, lang: this.entryLang, pronunciation: this.pron };
    if (this.entryLang === 'ja' && this.accent.trim() !== '') entry.accent = Number(this.accent);
    try {
      this.entries = await this.client.pronunciations.save(entry);
      this.word = this.pron = this.accent = '';
      if (this.shown) await this.show();
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async removeEntry(e: PronunciationEntry) {
    if (!this.client) return;
    this.entries = await this.client.pronunciations.delete(e.word, e.lang);
    if (this.shown) await this.show();
  }

  private async show() {
    if (!this.client || !this.phonesText.trim()) return;
    this.busy = true;
    this.error = '';
    try {
      this.shown = await this.client.showPhones(this.phonesText, this.phonesLang);
      this.shownRun++;
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    return html`<h2>Pronunciation</h2>
      <p class="hint">Say how a word is pronounced; every synthesis uses this list. It is kept in this browser and travels with exported voices.</p>
      <div class="row">
        <label>Word <input id="pron-word" .value=${this.word} @input=${(e: Event) => (this.word = (e.target as HTMLInputElement).value)} /></label>
        <label>Language
          <select id="pron-lang" @change=${(e: Event) => (this.entryLang = (e.target as HTMLSelectElement).value as PronLang)}>
            ${(['en', 'zh', 'ja'] as const).map((l) => html`<option value=${l} ?selected=${l === this.entryLang}>${{ en: 'English', zh: 'Chinese', ja: 'Japanese' }[l]}</option>`)}
          </select>
        </label>
        <label>Pronunciation <input id="pron-value" size="28" placeholder=${HINTS[this.entryLang]} .value=${this.pron} @input=${(e: Event) => (this.pron = (e.target as HTMLInputElement).value)} /></label>
        ${this.entryLang === 'ja' ? html`<label>Accent <input id="pron-accent" size="3" .value=${this.accent} @input=${(e: Event) => (this.accent = (e.target as HTMLInputElement).value)} /></label>` : nothing}
        <button id="pron-add" ?disabled=${!this.client} @click=${this.add}>Add</button>
      </div>
      ${this.error ? html`<p class="err" role="alert" id="pron-error">${this.error}</p>` : nothing}
      ${this.entries.length
        ? html`<table id="pron-list" aria-label="Pronunciation list">
            <tr><th>Word</th><th>Language</th><th>Pronunciation</th><th></th></tr>
            ${this.entries.map(
              (e) => html`<tr>
                <td>${e.word}</td><td>${e.lang}</td><td class="phones">${e.pronunciation}${e.accent !== undefined ? ` (accent ${e.accent})` : ''}</td>
                <td><button class="small" aria-label=${`Delete ${e.word}`} @click=${() => this.removeEntry(e)}>Delete</button></td>
              </tr>`,
            )}
          </table>`
        : html`<p class="hint">No words yet.</p>`}
      <h3>Show phones</h3>
      <div class="row">
        <label>Text <textarea id="phones-text" rows="2" cols="40" .value=${this.phonesText} @input=${(e: Event) => (this.phonesText = (e.target as HTMLTextAreaElement).value)}></textarea></label>
        <label>Language
          <select id="phones-lang" @change=${(e: Event) => (this.phonesLang = (e.target as HTMLSelectElement).value as LangMode)}>
            ${(['auto', 'zh', 'en', 'ja'] as const).map((l) => html`<option value=${l} ?selected=${l === this.phonesLang}>${l}</option>`)}
          </select>
        </label>
        <button id="phones-show" ?disabled=${!this.client || this.busy} @click=${this.show}>Show phones</button>
      </div>
      ${this.shown
        ? html`<table id="phones-out" aria-label="Phones" data-run=${this.shownRun}>
              <tr><th>Language</th><th>Text</th><th>Phones</th></tr>
              ${this.shown.segments.map((s) => html`<tr><td>${s.lang}</td><td>${s.text}</td><td class="phones">${s.phones.join(' ')}</td></tr>`)}
            </table>
            ${this.shown.warnings.map((w) => html`<p class="hint">${w}</p>`)}`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-pronunciation-panel': PronunciationPanel;
  }
}
