import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { decodeAudioFile } from '../audio/decode';
import { downmix, type PcmAudio } from '../audio/pcm';
import { prepareReference } from '../audio/prepare';
import { startRecording, type Recorder } from '../audio/record';
import type { CloneResult, Mynah, PackSummary } from '../client';
import { MAX_VOICE_REFERENCES } from '../pack/versions';
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

/** Recordings a voice can combine besides the main one. */
export const MAX_EXTRA_RECORDINGS = MAX_VOICE_REFERENCES - 1;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

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
 * stretch will be used. Optionally more recordings of the same speaker (up to
 * MAX_VOICE_REFERENCES in all), which only shape the speaker embedding. Then the transcript of
 * the main recording, its language, a name and the speaker's consent.
 */
@customElement('mynah-reference-panel')
export class ReferencePanel extends LitElement {
  @property({ attribute: false }) client?: Mynah;
  @property({ attribute: false }) pack?: PackSummary;
  @state() private recorder?: Recorder;
  @state() private level = { db: -Infinity, clipping: false, seconds: 0 };
  @state() private ref?: Reference;
  /** More recordings of the same speaker (upstream's auxiliary references), in the order added. */
  @state() private extras: Reference[] = [];
  /** Which the running recording is for. */
  @state() private recordingFor: 'main' | 'extra' = 'main';
  @state() private extraDragOver = false;
  @state() private promptText = '';
  @state() private promptLang: LangMode = 'auto';
  @state() private name = '';
  @state() private consent = false;
  @state() private cloning = false;
  @state() private status = '';
  @state() private dragOver = false;
  private listen?: AudioContext;
  /** Takes recorded for extra recordings so far, to name them. */
  private takes = 0;

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
      .extras { border: 1px solid var(--mynah-border); border-radius: 0.6rem; padding: 0.2rem 0.7rem 0.5rem; margin: 0.6rem 0; }
      .extras.over { border-color: var(--mynah-accent); border-style: dashed; background: var(--mynah-surface); }
      .extras ol { margin: 0.3rem 0; padding-left: 1.4rem; }
      .extras li { padding: 0.2rem 0; }
      .extras li .row { gap: 0.3rem 0.6rem; }
      .extras li span { overflow-wrap: anywhere; }
      @media (max-width: 36rem) { .cols { grid-template-columns: 1fr; } }
    `,
  ];

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.recorder?.cancel();
    void this.listen?.close();
  }

  private async record(target: 'main' | 'extra' = 'main'): Promise<void> {
    if (this.recorder) return;
    this.recordingFor = target;
    this.status = 'Asking for the microphone…';
    try {
      const r = await startRecording({
        maxSeconds: MAX_RECORD_SECONDS,
        onLevel: (l) => (this.level = { db: l.rmsDb, clipping: l.clipping, seconds: l.seconds }),
      });
      this.recorder = r;
      this.level = { db: -Infinity, clipping: false, seconds: 0 };
      this.status = 'Recording. Read a sentence or two in your normal voice, then press Stop.';
      // The button that started it is gone: keep keyboard focus on the one that stops it.
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('#stop-recording')?.focus());
      const rec = await r.finished;
      this.recorder = undefined;
      const name = target === 'extra' ? `Microphone take ${++this.takes}` : 'Recording';
      this.use(rec, rec.stoppedBy === 'max' ? `${name} (stopped at the ${MAX_RECORD_SECONDS} s limit)` : name, target);
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

  /** Audio files for more recordings of the same speaker, as many as still fit. */
  private async extraFiles(list: FileList | null | undefined, input?: HTMLInputElement): Promise<void> {
    const files = Array.from(list ?? []);
    if (input) input.value = ''; // the same file can be chosen again after a removal
    if (!files.length) return;
    const room = MAX_EXTRA_RECORDINGS - this.extras.length;
    const taken = files.slice(0, Math.max(0, room));
    const notes: string[] = [];
    for (const file of taken) {
      try {
        const note = this.use(await decodeAudioFile(file), file.name, 'extra');
        if (note) notes.push(note);
      } catch (e) {
        notes.push(`${file.name}: ${errorDetail(e).message}`);
      }
    }
    if (files.length > taken.length) notes.push(`A voice combines at most ${MAX_VOICE_REFERENCES} recordings, so ${plural(files.length - taken.length, 'file was', 'files were')} left out.`);
    this.status = notes.length ? notes.join(' ') : `Added ${plural(taken.length, 'recording')}. This voice will combine ${plural(1 + this.extras.length, 'recording')}.`;
  }

  private removeExtra(i: number): void {
    const gone = this.extras[i];
    this.extras = this.extras.filter((_, j) => j !== i);
    this.status = `Removed ${gone.origin}. This voice will combine ${plural(1 + this.extras.length, 'recording')}.`;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#extra-files')?.focus());
  }

  /**
   * Shows new reference audio and which part of it cloning will use (the engine's own choice).
   * A main reference with a problem is shown with it; an extra one with a problem is not kept
   * (the returned note says why).
   */
  private use(audio: PcmAudio, origin: string, target: 'main' | 'extra' = 'main'): string | undefined {
    const ref: Reference = { audio, mono: downmix(audio.channels), origin };
    try {
      const p = prepareReference(audio);
      ref.window = { start: p.window.start, end: p.window.end, seconds: p.window.seconds, reason: p.window.reason, warnings: p.window.warnings };
      this.status = `${origin}: ${formatSec(p.sourceSeconds)}. Using ${formatSec(p.window.seconds)} from ${formatSec(p.window.start / audio.sampleRate)}.`;
    } catch (e) {
      ref.problem = errorDetail(e).message;
      this.status = ref.problem;
    }
    if (target === 'main') {
      this.ref = ref;
      return undefined;
    }
    if (ref.problem) {
      this.status = `${origin} was not added: ${ref.problem}`;
      return this.status;
    }
    if (this.extras.length >= MAX_EXTRA_RECORDINGS) {
      this.status = `${origin} was not added: a voice combines at most ${MAX_VOICE_REFERENCES} recordings.`;
      return this.status;
    }
    this.extras = [...this.extras, ref];
    return undefined;
  }

  private async play(ref = this.ref): Promise<void> {
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
      const extraAudio = this.extras.map((x): PcmAudio => ({ sampleRate: x.audio.sampleRate, channels: x.audio.channels.map((c) => c.slice()) }));
      const result: CloneResult = await this.client.cloneVoice(audio, this.promptText.trim(), this.promptLang, name, { consent, ...(extraAudio.length ? { extraAudio } : {}) });
      const combined = extraAudio.length ? ` It combines ${1 + extraAudio.length} recordings.` : '';
      this.status = `Voice “${result.voice.name}” is ready and saved in your library.${combined}` + (result.warnings.length ? ` Note: ${result.warnings.join(' ')}` : '');
      emit(this, 'voice-cloned', result);
      this.name = '';
    } catch (err) {
      this.status = 'Cloning failed.';
      reportError(this, err);
    } finally {
      this.cloning = false;
    }
  }

  /** The running recording: time, live level, Stop. */
  private renderRecording() {
    return html`<p><span class="rec" aria-hidden="true"></span> Recording · ${formatSec(this.level.seconds)} of ${MAX_RECORD_SECONDS} s</p>
      <mynah-level-meter .db=${this.level.db} .clipping=${this.level.clipping}></mynah-level-meter>
      ${this.level.clipping ? html`<p class="problem">Too loud: move away from the microphone a little.</p>` : nothing}
      <p><button class="primary" id="stop-recording" @click=${this.stopRecording}>Stop recording</button></p>`;
  }

  private renderSources() {
    const rec = this.recorder;
    return html`<div class="sources">
      <div class="source">
        <h3>Record</h3>
        ${rec && this.recordingFor === 'main'
          ? this.renderRecording()
          : html`<p class="hint">5–10 seconds of clear speech in a quiet room works best. Stops by itself at ${MAX_RECORD_SECONDS} s.</p>
              <button class="primary" @click=${() => this.record('main')} ?disabled=${this.cloning || !!rec}>Record</button>`}
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
            <button class="small" @click=${() => this.play()}>Listen to the shaded part</button>`
        : html`<p class="problem">${ref.problem}</p>`}`;
  }

  /** More recordings of the same speaker: they refine the voice's timbre (its ge), nothing else. */
  private renderExtras() {
    if (!this.ref) return nothing;
    const rec = this.recorder;
    const full = this.extras.length >= MAX_EXTRA_RECORDINGS;
    const total = 1 + this.extras.length;
    return html`<section class="extras ${this.extraDragOver ? 'over' : ''}" aria-labelledby="extras-title"
      @dragover=${(e: DragEvent) => (e.preventDefault(), (this.extraDragOver = true))}
      @dragleave=${() => (this.extraDragOver = false)}
      @drop=${(e: DragEvent) => (e.preventDefault(), (this.extraDragOver = false), this.extraFiles(e.dataTransfer?.files))}>
      <h3 id="extras-title">More recordings of the same speaker (optional)</h3>
      <p class="hint">Up to ${MAX_EXTRA_RECORDINGS} more, ${MAX_VOICE_REFERENCES} in all. They refine how the voice sounds; the recording above stays the main one, whose words you type below. Drop audio files here, choose them, or record another take.</p>
      <p id="extras-count">This voice will combine <strong>${plural(total, 'recording')}</strong> (of at most ${MAX_VOICE_REFERENCES}).</p>
      ${this.extras.length
        ? html`<ol aria-label="More recordings">
            ${this.extras.map(
              (x, i) => html`<li>
                <div class="row">
                  <span>${x.origin} · ${formatSec(x.window!.seconds)} used</span>
                  <button class="small" @click=${() => this.play(x)} aria-label="Listen to ${x.origin}">Listen</button>
                  <button class="small danger" @click=${() => this.removeExtra(i)} ?disabled=${this.cloning} aria-label="Remove ${x.origin}">Remove</button>
                </div>
                ${x.window!.warnings.map((w) => html`<p class="warn">${w}</p>`)}
              </li>`,
            )}
          </ol>`
        : nothing}
      ${rec && this.recordingFor === 'extra'
        ? this.renderRecording()
        : html`<div class="field">
              <label for="extra-files">Add recordings (audio files)</label>
              <input id="extra-files" type="file" multiple accept="audio/*,.wav,.mp3,.ogg,.flac,.m4a" aria-describedby="extras-count"
                ?disabled=${full || !!rec || this.cloning} @change=${(e: Event) => this.extraFiles((e.target as HTMLInputElement).files, e.target as HTMLInputElement)} />
            </div>
            <button @click=${() => this.record('extra')} ?disabled=${full || !!rec || this.cloning}>Record another take</button>
            ${full ? html`<span class="hint">That is the most a voice combines; remove one to add another.</span>` : nothing}`}
    </section>`;
  }

  render() {
    const detected = this.promptLang === 'auto' && this.promptText.trim() ? detectLanguages(this.promptText) : [];
    return html`<h2>2 · Clone a voice</h2>
      ${this.renderSources()} ${this.renderReference()} ${this.renderExtras()}
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
