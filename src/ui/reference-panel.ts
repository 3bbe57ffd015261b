import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { decodeAudioFile } from '../audio/decode';
import { downmix, type PcmAudio } from '../audio/pcm';
import { prepareReference } from '../audio/prepare';
import { startRecording, type Recorder } from '../audio/record';
import type { CloneResult, Mynah, PackSummary } from '../client';
import { CONSENT_STATEMENT, makeConsent } from '../safety/consent';
import { segmentByLanguage, type LangMode } from '../text/segment';
import { controls, emit, errorDetail, formatSec, panel, reportError } from './shared';
import './level-meter';
import './waveform';

/** Longest recording; the best 3–10 s inside it is used. */
export const MAX_RECORD_SECONDS = 30;

export const LANG_NAMES: Record<string, string> = { auto: 'Detect automatically', en: 'English', zh: 'Chinese', ja: 'Japanese' };

/** Languages found in a text, in order of first appearance, for "Detected: …" hints. */
export function detectLanguages(text: string): string[] {
  try {
    return [...new Set(segmentByLanguage(text, 'auto').map((s) => s.lang))];
  } catch {
    return [];
  }
}

interface Reference {
  audio: PcmAudio;
  mono: Float32Array;
  origin: string;
  window?: { start: number; end: number; seconds: number; reason: string; warnings: string[] };
  problem?: string;
}

/**
 * Step 2 of the Studio: a reference voice. Record with the microphone (live level meter, stops by
 * itself at the maximum length) or drop/choose an audio file; the waveform shows which 3–10 s
 * stretch will be used. Then the transcript, its language, a name and the speaker's consent.
 */
@customElement('mynah-reference-panel')
export class ReferencePanel extends LitElement {
  @property({ attribute: false }) client?: Mynah;
  @property({ attribute: false }) pack?: PackSummary;
  @state() private recorder?: Recorder;
  @state() private level = { db: -Infinity, clipping: false, seconds: 0 };
  @state() private ref?: Reference;
  @state() private promptText = '';
  @state() private promptLang: LangMode = 'auto';
  @state() private name = '';
  @state() private consent = false;
  @state() private cloning = false;
  @state() private status = '';
  @state() private dragOver = false;
  private listen?: AudioContext;

  static styles = [
    panel,
    controls,
    css`
      .sources { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0.8rem; margin: 0.5rem 0; }
      .source { border: 1px solid var(--mynah-border); border-radius: 0.6rem; padding: 0.7rem; }
      .drop { border-style: dashed; border-width: 2px; }
      .drop.over { border-color: var(--mynah-accent); background: var(--mynah-surface); }
      .rec { display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%; background: #d32f2f; }
      .window { margin: 0.3rem 0; font-size: 0.95rem; }
      .problem { color: var(--mynah-danger); }
      .consent { display: flex; gap: 0.5rem; align-items: flex-start; font-weight: 400; margin: 0.6rem 0; }
      .consent input { margin-top: 0.2rem; flex: none; }
      .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; }
      @media (max-width: 36rem) { .cols { grid-template-columns: 1fr; } }
    `,
  ];

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.recorder?.cancel();
    void this.listen?.close();
  }

  private async record(): Promise<void> {
    if (this.recorder) return;
    this.status = 'Asking for the microphone…';
    try {
      const r = await startRecording({
        maxSeconds: MAX_RECORD_SECONDS,
        onLevel: (l) => (this.level = { db: l.rmsDb, clipping: l.clipping, seconds: l.seconds }),
      });
      this.recorder = r;
      this.level = { db: -Infinity, clipping: false, seconds: 0 };
      this.status = 'Recording. Read a sentence or two in your normal voice, then press Stop.';
      const rec = await r.finished;
      this.recorder = undefined;
      this.use(rec, rec.stoppedBy === 'max' ? `Recording (stopped at the ${MAX_RECORD_SECONDS} s limit)` : 'Recording');
    } catch (e) {
      this.recorder = undefined;
      this.status = errorDetail(e).message;
      reportError(this, e);
    }
  }

  private async stopRecording(): Promise<void> {
    await this.recorder?.stop();
  }

  private async file(file: File | undefined): Promise<void> {
    if (!file) return;
    this.status = `Reading ${file.name}…`;
    try {
      this.use(await decodeAudioFile(file), file.name);
      if (!this.name) this.name = file.name.replace(/\.[^.]+$/, '');
    } catch (e) {
      this.status = errorDetail(e).message;
      reportError(this, e);
    }
  }

  /** Shows new reference audio and which part of it cloning will use (the engine's own choice). */
  private use(audio: PcmAudio, origin: string): void {
    const ref: Reference = { audio, mono: downmix(audio.channels), origin };
    try {
      const p = prepareReference(audio);
      ref.window = { start: p.window.start, end: p.window.end, seconds: p.window.seconds, reason: p.window.reason, warnings: p.window.warnings };
      this.status = `${origin}: ${formatSec(p.sourceSeconds)}. Using ${formatSec(p.window.seconds)} from ${formatSec(p.window.start / audio.sampleRate)}.`;
    } catch (e) {
      ref.problem = errorDetail(e).message;
      this.status = ref.problem;
    }
    this.ref = ref;
  }

  private async play(): Promise<void> {
    const ref = this.ref;
    if (!ref) return;
    this.listen ??= new AudioContext();
    const a = ref.window?.start ?? 0;
    const b = ref.window?.end ?? ref.mono.length;
    const buf = this.listen.createBuffer(1, b - a, ref.audio.sampleRate);
    buf.copyToChannel(ref.mono.subarray(a, b) as Float32Array<ArrayBuffer>, 0);
    const src = this.listen.createBufferSource();
    src.buffer = buf;
    src.connect(this.listen.destination);
    await this.listen.resume();
    src.start();
  }

  private get canClone(): boolean {
    return !!(this.client && this.pack && this.ref && !this.ref.problem && this.promptText.trim() && this.consent && !this.cloning && !this.recorder);
  }

  private async clone(e?: Event): Promise<void> {
    e?.preventDefault();
    const ref = this.ref;
    if (!this.canClone || !ref || !this.client) return;
    this.cloning = true;
    this.status = 'Cloning the voice…';
    try {
      // cloneVoice transfers the audio to the worker: hand it a copy, the waveform keeps its own.
      const audio: PcmAudio = { sampleRate: ref.audio.sampleRate, channels: ref.audio.channels.map((c) => c.slice()) };
      const name = this.name.trim() || `Voice ${new Date().toLocaleString()}`;
      // The speaker's confirmation is stored on the voice (and in its exports), not only checked here.
      const consent = makeConsent(this.consent, CONSENT_STATEMENT);
      const result: CloneResult = await this.client.cloneVoice(audio, this.promptText.trim(), this.promptLang, name, { consent });
      this.status = `Voice “${result.voice.name}” is ready and saved in your library.` + (result.warnings.length ? ` Note: ${result.warnings.join(' ')}` : '');
      emit(this, 'voice-cloned', result);
      this.name = '';
    } catch (err) {
      this.status = 'Cloning failed.';
      reportError(this, err);
    } finally {
      this.cloning = false;
    }
  }

  private renderSources() {
    const rec = this.recorder;
    return html`<div class="sources">
      <div class="source">
        <h3>Record</h3>
        ${rec
          ? html`<p><span class="rec" aria-hidden="true"></span> Recording · ${formatSec(this.level.seconds)} of ${MAX_RECORD_SECONDS} s</p>
              <mynah-level-meter .db=${this.level.db} .clipping=${this.level.clipping}></mynah-level-meter>
              ${this.level.clipping ? html`<p class="problem">Too loud: move away from the microphone a little.</p>` : nothing}
              <p><button class="primary" @click=${this.stopRecording}>Stop recording</button></p>`
          : html`<p class="hint">5–10 seconds of clear speech in a quiet room works best. Stops by itself at ${MAX_RECORD_SECONDS} s.</p>
              <button class="primary" @click=${this.record} ?disabled=${this.cloning}>Record</button>`}
      </div>
      <div class="source drop ${this.dragOver ? 'over' : ''}"
        @dragover=${(e: DragEvent) => (e.preventDefault(), (this.dragOver = true))}
        @dragleave=${() => (this.dragOver = false)}
        @drop=${(e: DragEvent) => (e.preventDefault(), (this.dragOver = false), this.file(e.dataTransfer?.files[0]))}>
        <h3>Or use a file</h3>
        <p class="hint">Drop an audio file here (WAV, MP3, OGG, FLAC, M4A), or choose one.</p>
        <label for="ref-file" class="sr-only">Reference audio file</label>
        <input id="ref-file" type="file" accept="audio/*,.wav,.mp3,.ogg,.flac,.m4a" ?disabled=${!!rec || this.cloning} @change=${(e: Event) => this.file((e.target as HTMLInputElement).files?.[0])} />
      </div>
    </div>`;
  }

  private renderReference() {
    const ref = this.ref;
    if (!ref) return nothing;
    const w = ref.window;
    const sr = ref.audio.sampleRate;
    return html`<h3>Reference</h3>
      <mynah-waveform .samples=${ref.mono} .sampleRate=${sr} .window=${w}></mynah-waveform>
      ${w
        ? html`<p class="window">Used for cloning: <strong>${formatSec(w.seconds)}</strong> from ${formatSec(w.start / sr)} to ${formatSec(w.end / sr)} (shaded). ${w.reason}</p>
            ${w.warnings.map((x) => html`<p class="warn">${x}</p>`)}
            <button class="small" @click=${this.play}>Listen to the shaded part</button>`
        : html`<p class="problem">${ref.problem}</p>`}`;
  }

  render() {
    const detected = this.promptLang === 'auto' && this.promptText.trim() ? detectLanguages(this.promptText) : [];
    return html`<h2>2 · Clone a voice</h2>
      ${this.renderSources()} ${this.renderReference()}
      <form @submit=${this.clone}>
        <div class="field">
          <label for="prompt-text">What the reference says, word for word</label>
          <textarea id="prompt-text" rows="2" .value=${this.promptText} @input=${(e: InputEvent) => (this.promptText = (e.target as HTMLTextAreaElement).value)}
            aria-describedby="prompt-hint"></textarea>
          <span class="hint" id="prompt-hint">The model learns the voice from the audio and this text together; only the shaded part should be spoken here if the recording is longer.</span>
        </div>
        <div class="cols">
          <div class="field">
            <label for="prompt-lang">Language of the reference</label>
            <select id="prompt-lang" .value=${this.promptLang} @change=${(e: Event) => (this.promptLang = (e.target as HTMLSelectElement).value as LangMode)}>
              ${Object.entries(LANG_NAMES).map(([v, n]) => html`<option value=${v} ?selected=${v === this.promptLang}>${n}</option>`)}
            </select>
            ${detected.length ? html`<span class="hint">Detected: ${detected.map((l) => LANG_NAMES[l]).join(', ')}</span>` : nothing}
          </div>
          <div class="field">
            <label for="voice-name">Name for the voice</label>
            <input id="voice-name" .value=${this.name} placeholder="e.g. Grandma reading" @input=${(e: InputEvent) => (this.name = (e.target as HTMLInputElement).value)} />
          </div>
        </div>
        <label class="consent"><input type="checkbox" .checked=${this.consent} @change=${(e: Event) => (this.consent = (e.target as HTMLInputElement).checked)} /> <span>${CONSENT_STATEMENT}</span></label>
        <button class="primary" type="submit" ?disabled=${!this.canClone}>${this.cloning ? 'Cloning…' : 'Clone voice'}</button>
        ${!this.pack ? html`<span class="hint">Waiting for the model pack…</span>` : nothing}
      </form>
      <p class="hint" role="status" aria-live="polite">${this.status}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-reference-panel': ReferencePanel;
  }
}
