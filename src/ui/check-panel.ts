import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Voice } from '../store/voices';
import { CHECK_THRESHOLDS, detectWatermark, type WatermarkCheck } from '../safety/check';
import { voiceIdHash } from '../safety/watermark';
import { controls, errorDetail, formatSec, panel, reportError } from './shared';

/**
 * "Check a file": drop or choose an audio file and learn whether it carries Mynah's watermark
 * (and, when the payload reads, which voice hash and day). Works in this browser only: the file is
 * decoded and examined here, never sent anywhere, and no engine is needed.
 */
@customElement('mynah-check-panel')
export class MynahCheckPanel extends LitElement {
  /** The library, to say which of your voices a found mark points to. */
  @property({ attribute: false }) voices: Voice[] = [];
  /** The operator's watermark key, if the engine was created with one. */
  @property({ attribute: 'watermark-key' }) watermarkKey?: string;
  @state() private checking = '';
  @state() private result?: { file: string; check: WatermarkCheck };
  @state() private dragOver = false;
  @state() private status = '';

  static styles = [
    panel,
    controls,
    css`
      .drop { border: 2px dashed var(--mynah-border); border-radius: 0.6rem; padding: 0.7rem; }
      /* A percentage width keeps the file input from setting the panel's minimum width (phones). */
      input[type='file'] { width: 100%; }
      .drop.over { border-color: var(--mynah-accent); background: var(--mynah-surface); }
      .verdict { font-weight: 600; margin: 0.6rem 0 0.2rem; }
      .found { color: var(--mynah-ok); }
      .details { margin: 0.2rem 0; }
    `,
  ];

  private async check(file: File | undefined): Promise<void> {
    if (!file || this.checking) return;
    this.checking = file.name;
    this.result = undefined;
    this.status = '';
    try {
      // Let "Checking…" paint before the detector takes the thread (≈ 7 ms per second of audio).
      await new Promise((ok) => setTimeout(ok, 0));
      const check = await detectWatermark(file, this.watermarkKey ? { key: this.watermarkKey } : {});
      this.result = { file: file.name, check };
    } catch (e) {
      this.status = `Could not check ${file.name}: ${errorDetail(e).message}`;
      reportError(this, e);
    } finally {
      this.checking = '';
    }
  }

  private renderResult() {
    const r = this.result;
    if (!r) return nothing;
    const c = r.check;
    const score = `score ${c.score.toFixed(1)}`;
    if (c.silent) return html`<p class="verdict">No Mynah watermark found in ${r.file}: the audio is silent.</p>`;
    if (!c.found) {
      return html`<p class="verdict">No Mynah watermark found in ${r.file} (${score}).</p>
        <p class="hint details">
          ${c.tooShort ? `Only ${formatSec(c.usableSec)} of it has usable sound, too little to tell. ` : ''}A mark is reported from a score of
          ${CHECK_THRESHOLDS.alone}, or ${CHECK_THRESHOLDS.withPayload} with a readable voice hash and date. Not finding it does not prove the audio is
          not synthetic: strong noise, low-bit-rate compression and short excerpts can hide the mark.
        </p>`;
    }
    const mine = c.voiceHash ? this.voices.filter((v) => voiceIdHash(v.id) === c.voiceHash) : [];
    return html`<p class="verdict found">
        Mynah watermark found in ${r.file}${c.voiceHash ? html` (voice hash ${c.voiceHash}, made on ${c.day})` : ' (voice and date unreadable)'}.
      </p>
      <p class="hint details">
        ${score}; the chance of a false alarm is ${c.falseAlarm < 1e-12 ? 'below 1 in a trillion' : `about ${c.falseAlarm.toExponential(0)}`}.
        ${mine.length ? `The voice hash matches your voice${mine.length > 1 ? 's' : ''} ${mine.map((v) => `“${v.name}”`).join(', ')}.` : ''}
        The hash narrows a voice down among a user's voices; it does not identify a person.
      </p>`;
  }

  render() {
    return html`<h2>Check a file</h2>
      <p class="hint">Every clip Mynah makes carries a faint watermark, made to be hard to hear. Find out whether a recording has it. The file is examined in this browser and not uploaded.</p>
      <div class="drop ${this.dragOver ? 'over' : ''}"
        @dragover=${(e: DragEvent) => (e.preventDefault(), (this.dragOver = true))}
        @dragleave=${() => (this.dragOver = false)}
        @drop=${(e: DragEvent) => (e.preventDefault(), (this.dragOver = false), this.check(e.dataTransfer?.files[0]))}>
        <div class="field">
          <label for="check-file">Audio file to check</label>
          <input id="check-file" type="file" accept="audio/*,.wav,.mp3,.ogg,.flac,.m4a" aria-describedby="check-hint" ?disabled=${!!this.checking}
            @change=${(e: Event) => {
              const input = e.target as HTMLInputElement;
              void this.check(input.files?.[0]).then(() => (input.value = ''));
            }} />
          <span class="hint" id="check-hint">Or drop it here. WAV, MP3, OGG, FLAC or M4A; the first 2 minutes are examined.</span>
        </div>
      </div>
      <div role="status" aria-live="polite">
        ${this.checking ? html`<p class="hint">Checking ${this.checking}…</p>` : nothing}
        ${this.status ? html`<p class="hint">${this.status}</p>` : nothing}
        ${this.renderResult()}
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-check-panel': MynahCheckPanel;
  }
}
