import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Mynah, type AudioChunk, type BackendInfo, type BackendRequest, type PackSummary, type SynthesisOptions, type SynthesisReport } from '../client';
import { MynahError } from '../errors';
import type { FetchProgress } from '../pack/fetch';
import { getVoice, parseVoiceExport, saveVoice, type Voice } from '../store/voices';
import type { LangMode } from '../text/segment';
import { DEFAULT_PACK_PATH } from '../pack/default';
import { assetUrl } from './assets';
import { errorDetail, tokens, type ErrorDetail } from './shared';
import { SpeechOutput, SpeechSession } from './speech-session';

export interface SpeakReadyDetail {
  backend: BackendInfo;
  /** Absent when a shared client was passed in (its owner loads the pack). */
  pack?: PackSummary['manifest'];
  voice: { id: string; name: string; packId: string };
}

export type SpeakProgressDetail =
  | { phase: 'loading'; file: string; loaded: number; total: number }
  | { phase: 'speaking'; segment: number; segments: number; tokens: number; seconds: number };

export interface SpeakEndDetail {
  cancelled: boolean;
  /** Seconds of audio made (speech and pauses). */
  seconds: number;
  report?: SynthesisReport;
}

export type SpeakState = 'idle' | 'loading' | 'ready' | 'speaking' | 'error';

/** Maps an HTML `lang` value (en, zh-CN, ja-JP…) to the engine's languages; anything else: detect. */
function langMode(lang: string): LangMode {
  const l = lang.toLowerCase().split('-')[0];
  return l === 'en' || l === 'zh' || l === 'ja' ? l : 'auto';
}

/**
 * `<mynah-speak>`: a play button that says a text in a cloned voice, for any web page.
 *
 *   <mynah-speak voice-src="my-voice.mynah-voice.json" text="Hello!"></mynah-speak>
 *
 * Properties in (attributes in brackets): `voice` (id of a voice in this origin's library) or
 * `voiceSrc` [voice-src] (URL of an exported voice file), `text` (or the element's own text),
 * `pack` (pack.json URL; default: the pack beside the library), `backend`, `seed`, `speed`,
 * `label`, `preload` ("none": start the engine on the first click; "auto": at once), `assetBase`
 * [asset-base], `options` (any SynthesisOptions), `client` (a Mynah to share between elements;
 * its owner loads the pack). The HTML `lang` attribute picks the language (default: detect).
 *
 * Events out (bubbling, composed): `ready` (SpeakReadyDetail), `progress` (SpeakProgressDetail),
 * `chunk` (AudioChunk), `end` (SpeakEndDetail), `error` ({code, message}).
 * Methods: `play()`, `stop()`, `prepare()`. No state is shared between elements.
 */
@customElement('mynah-speak')
export class MynahSpeak extends LitElement {
  @property() voice = '';
  @property({ attribute: 'voice-src' }) voiceSrc = '';
  @property() text = '';
  @property() pack = '';
  @property() backend: BackendRequest = 'auto';
  @property({ type: Number }) seed?: number;
  @property({ type: Number }) speed?: number;
  @property() label = 'Play';
  @property() preload: 'none' | 'auto' = 'none';
  @property({ attribute: 'asset-base' }) assetBase = '';
  @property({ attribute: false }) options: SynthesisOptions = {};
  /** A client shared with other elements; when unset, the element makes (and disposes) its own. */
  @property({ attribute: false }) client?: Mynah;

  /** Where the element is: idle → loading → ready ⇄ speaking, or error. */
  @state() state: SpeakState = 'idle';
  @state() private fraction = 0;
  @state() private message = '';
  /** The audio of the last play, 32 kHz mono (for a download button of the page's own). */
  audio?: Float32Array;

  private own?: { client: Mynah; backend: BackendRequest };
  private loadedPack?: { url: string; summary: PackSummary };
  private resolvedVoice?: Voice;
  private preparing?: Promise<void>;
  private session?: SpeechSession;
  private readonly output = new SpeechOutput();

  static styles = [
    tokens,
    css`
      :host { display: inline-flex; flex-direction: column; gap: 0.25rem; vertical-align: middle; max-width: 100%; }
      .row { display: inline-flex; align-items: center; gap: 0.6rem; }
      button {
        position: relative; flex: none; width: 2.75rem; height: 2.75rem; border-radius: 50%; border: 0; cursor: pointer;
        background: var(--mynah-accent); color: var(--mynah-accent-fg); display: inline-grid; place-items: center;
      }
      button:disabled { opacity: 0.5; cursor: progress; }
      button:focus-visible { outline: 3px solid var(--mynah-focus); outline-offset: 2px; }
      svg { width: 1.2rem; height: 1.2rem; fill: currentColor; }
      .ring { position: absolute; inset: -4px; width: calc(100% + 8px); height: calc(100% + 8px); transform: rotate(-90deg); pointer-events: none; }
      .ring circle { fill: none; stroke: var(--mynah-accent); stroke-width: 3; stroke-linecap: round; transition: stroke-dashoffset 120ms linear; }
      .text { overflow-wrap: anywhere; }
      .error { color: var(--mynah-danger); font-size: 0.85rem; }
      .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    `,
  ];

  connectedCallback(): void {
    super.connectedCallback();
    if (this.preload === 'auto') void this.prepare().catch(() => undefined);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.session?.stop();
    void this.output.close();
    this.own?.client.dispose();
    this.own = undefined;
    this.loadedPack = undefined;
    this.resolvedVoice = undefined;
    this.preparing = undefined;
    this.state = 'idle';
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    // A new voice, pack, backend or client: start over from there on the next prepare().
    if (changed.has('voice') || changed.has('voiceSrc')) this.resolvedVoice = undefined;
    if (changed.has('pack') || changed.has('client')) this.loadedPack = undefined;
    if (this.hasUpdated && (['voice', 'voiceSrc', 'pack', 'backend', 'client', 'assetBase'] as const).some((k) => changed.has(k))) {
      this.preparing = undefined;
      if (this.state === 'ready' || this.state === 'error') this.state = 'idle';
      if (this.isConnected && this.preload === 'auto') void this.prepare().catch(() => undefined);
    }
  }

  private fire<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private fail(e: unknown): ErrorDetail {
    const d = errorDetail(e);
    this.state = 'error';
    this.message = d.message;
    this.fire<ErrorDetail>('error', d);
    return d;
  }

  /** The text to say: the `text` property, else the element's own text content. */
  get spokenText(): string {
    return (this.text || this.textContent || '').trim();
  }

  /** Starts the engine, loads the pack and the voice; `ready` fires when done. Safe to call often. */
  prepare(): Promise<void> {
    this.preparing ??= this.doPrepare().catch((e) => {
      this.preparing = undefined;
      this.fail(e);
      throw e;
    });
    return this.preparing;
  }

  private async engine(): Promise<Mynah> {
    if (this.client) {
      this.own?.client.dispose();
      this.own = undefined;
      return this.client;
    }
    if (this.own && this.own.backend !== this.backend) {
      this.own.client.dispose();
      this.own = undefined;
      this.loadedPack = undefined;
    }
    if (!this.own) {
      const client = await Mynah.create({ backend: this.backend, ortBase: assetUrl('ort/', this.assetBase), dicBase: assetUrl('ja/', this.assetBase) });
      if (!this.isConnected) {
        client.dispose();
        throw new MynahError('ELEMENT_REMOVED', 'The element was removed from the page.');
      }
      this.own = { client, backend: this.backend };
    }
    return this.own.client;
  }

  private async doPrepare(): Promise<void> {
    this.state = 'loading';
    this.message = '';
    this.fraction = 0;
    const client = await this.engine();
    let manifest: PackSummary['manifest'] | undefined;
    if (!this.client) {
      const url = this.pack ? new URL(this.pack, document.baseURI).href : (assetUrl(DEFAULT_PACK_PATH, this.assetBase) ?? '');
      if (this.loadedPack?.url !== url) {
        const summary = await client.loadPack(url || undefined, (p: FetchProgress) => {
          this.fraction = p.total ? p.loaded / p.total : 0;
          this.fire<SpeakProgressDetail>('progress', { phase: 'loading', ...p });
        });
        this.loadedPack = { url, summary };
      }
      manifest = this.loadedPack.summary.manifest;
    }
    this.resolvedVoice ??= await this.resolveVoice(client);
    const v = this.resolvedVoice;
    if (manifest && v.packId !== manifest.id) {
      throw new MynahError('VOICE_PACK_MISMATCH', `The voice “${v.name}” was made with model pack “${v.packId}”, but this element loaded “${manifest.id}”. Set pack= to that pack's pack.json.`);
    }
    this.state = 'ready';
    this.fraction = 0;
    this.fire<SpeakReadyDetail>('ready', { backend: await client.refreshBackendInfo(), pack: manifest, voice: { id: v.id, name: v.name, packId: v.packId } });
  }

  /** A voice from the library by id, or from an exported file (kept in the library for next time). */
  private async resolveVoice(client: Mynah): Promise<Voice> {
    if (this.voiceSrc) {
      const url = new URL(this.voiceSrc, document.baseURI).href;
      let text: string;
      try {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        text = await res.text();
      } catch (e) {
        throw new MynahError('VOICE_FETCH_FAILED', `Could not download the voice file ${url} (${(e as Error).message}). Check voice-src, and that the server allows this page to read it.`);
      }
      const v = parseVoiceExport(text);
      // Same id already stored (an earlier visit): use it as it is rather than adding a copy.
      const stored = await getVoice(v.id).catch(() => undefined);
      if (stored) return stored;
      await saveVoice(v);
      return v;
    }
    if (!this.voice) throw new MynahError('VOICE_MISSING', 'No voice is set. Give the element a voice-src (an exported voice file) or a voice id.');
    return client.voices.get(this.voice);
  }

  /** Says the text (preparing first if needed). Resolves when playback has finished or stopped. */
  async play(): Promise<void> {
    if (this.state === 'speaking') return;
    const text = this.spokenText;
    if (!text) {
      this.fail(new MynahError('TEXT_EMPTY', 'There is no text to say. Set the text attribute or put the text inside the element.'));
      return;
    }
    // The audio output is created now, inside the click, or browsers keep it muted (at the pack's
    // rate once it is known; a first play of a 24/48 kHz pack re-creates it right after loading).
    let output = this.output.prepare(this.loadedPack?.summary.manifest.sampleRate);
    try {
      await this.prepare();
    } catch {
      return; // already reported
    }
    const rate = this.loadedPack?.summary.manifest.sampleRate;
    if (rate) output = this.output.prepare(rate);
    const client = this.client ?? this.own?.client;
    const voice = this.resolvedVoice;
    if (!client || !voice) return;
    const options: SynthesisOptions = { ...this.options, lang: this.options.lang ?? langMode(this.lang) };
    if (this.seed !== undefined && Number.isFinite(this.seed)) options.seed = this.seed;
    if (this.speed !== undefined && Number.isFinite(this.speed)) options.speed = this.speed;
    this.state = 'speaking';
    this.message = '';
    this.fraction = 0;
    let seconds = 0;
    const session = new SpeechSession(client, text, voice.id, options, output, {
      onChunk: (c: AudioChunk) => {
        seconds += c.pcm.length / c.sampleRate;
        // Whole fragments done, plus a guess within the current one, for the ring.
        this.fraction = Math.min(1, (c.segment + (c.segmentDone || c.kind === 'pause' ? 1 : 0.5)) / c.segments);
        this.fire<AudioChunk>('chunk', c);
        this.fire<SpeakProgressDetail>('progress', { phase: 'speaking', segment: c.segment, segments: c.segments, tokens: c.tokens, seconds });
      },
    });
    this.session = session;
    try {
      const o = await session.done;
      this.audio = o.pcm;
      this.state = 'ready';
      this.fraction = 0;
      this.fire<SpeakEndDetail>('end', { cancelled: o.cancelled, seconds: o.pcm.length / o.sampleRate, report: o.report });
    } catch (e) {
      this.fail(e);
    } finally {
      this.session = undefined;
    }
  }

  /** Stops speaking at once. */
  async stop(): Promise<void> {
    await this.session?.stop();
  }

  private onButton(): void {
    if (this.state === 'speaking') void this.stop();
    else void this.play();
  }

  render() {
    const speaking = this.state === 'speaking';
    const loading = this.state === 'loading';
    const text = this.spokenText;
    const short = text.length > 60 ? `${text.slice(0, 57)}…` : text;
    const name = speaking ? 'Stop' : loading ? 'Loading voice' : `${this.label}: ${short}`;
    const r = 22;
    const c = 2 * Math.PI * r;
    const status = loading ? `Loading the voice… ${Math.round(this.fraction * 100)}%` : speaking ? 'Speaking' : this.state === 'error' ? this.message : '';
    return html`<div class="row">
        <button part="button" aria-label=${name} title=${name} ?disabled=${loading} aria-busy=${loading ? 'true' : 'false'} @click=${this.onButton}>
          ${speaking
            ? html`<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="6" y="6" width="12" height="12" rx="1.5" /></svg>`
            : html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5.5v13a1 1 0 0 0 1.5.86l10.2-6.5a1 1 0 0 0 0-1.72L9.5 4.64A1 1 0 0 0 8 5.5z" /></svg>`}
          ${loading || speaking
            ? html`<svg class="ring" viewBox="0 0 52 52" aria-hidden="true"><circle part="progress" cx="26" cy="26" r=${r} stroke-dasharray=${c} stroke-dashoffset=${c * (1 - this.fraction)} /></svg>`
            : nothing}
        </button>
        <span class="text" part="text"><slot>${this.text}</slot></span>
      </div>
      ${this.state === 'error' ? html`<span class="error" part="error">${this.message}</span>` : nothing}
      <span class="sr-only" role="status" aria-live="polite">${status}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-speak': MynahSpeak;
  }
}
