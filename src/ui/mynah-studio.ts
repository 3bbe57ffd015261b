import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Mynah, type BackendInfo, type BackendRequest, type CloneResult, type PackSummary, type Voice } from '../client';
import { assetUrl } from './assets';
import './backend-badge';
import './check-panel';
import './error-banner';
import { offlineState, precache, type OfflineState } from './offline';
import { playerUrl, recorderUrl } from '../audio/worklet-urls';
import './pack-panel';
import './pronunciation-panel';
import './reference-panel';
import { controls, errorDetail, tokens, type ErrorDetail } from './shared';
import './speak-panel';
import './voice-library';

const VOICE_KEY = 'mynah.voice';

function rememberVoice(id: string): void {
  try {
    if (id) localStorage.setItem(VOICE_KEY, id);
    else localStorage.removeItem(VOICE_KEY);
  } catch {
    // no storage: the choice lasts for this visit
  }
}

function rememberedVoice(): string {
  try {
    return localStorage.getItem(VOICE_KEY) ?? '';
  } catch {
    return '';
  }
}

/**
 * Mynah Studio, the whole app on one page: 1 model pack, 2 clone a voice, 3 your voices, 4 speak.
 * Owns the engine client and the shared state (loaded pack, voice list, chosen voice); each panel
 * does its own work with the client and reports back with events. Errors from any panel land in
 * one banner at the top.
 */
@customElement('mynah-studio')
export class MynahStudio extends LitElement {
  /** Engine backend; the page's `?backend=wasm|webgpu` overrides it. */
  @property() backend: BackendRequest = 'auto';
  @state() private client?: Mynah;
  @state() private info?: BackendInfo;
  @state() private engineError = '';
  @state() private pack?: PackSummary;
  @state() private voices: Voice[] = [];
  @state() private selected = rememberedVoice();
  @state() private errors: (ErrorDetail & { id: number })[] = [];
  @state() private offline: OfflineState | 'cached' = 'unsupported';
  private errorId = 0;

  static styles = [
    tokens,
    controls,
    css`
      :host { display: block; max-width: 72rem; margin: 0 auto; padding: 1rem; background: var(--mynah-bg); min-height: 100vh; }
      header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 0.5rem 1rem; margin-bottom: 0.5rem; }
      h1 { margin: 0; font-size: 1.7rem; }
      .tagline { margin: 0.2rem 0 0.8rem; color: var(--mynah-muted); }
      .status { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
      .chip { font-size: 0.85rem; padding: 0.1em 0.6em; border-radius: 999px; background: var(--mynah-surface); border: 1px solid var(--mynah-border); }
      mynah-error-banner { position: sticky; top: 0; z-index: 2; }
      main { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
      .wide { grid-column: 1 / -1; }
      footer { margin: 1.5rem 0 0.5rem; color: var(--mynah-muted); font-size: 0.9rem; }
      @media (max-width: 56rem) { main { grid-template-columns: 1fr; } }
      @media (max-width: 36rem) { :host { padding: 0.5rem 0; } header, .tagline, footer { padding: 0 0.8rem; } main { gap: 0.6rem; } }
    `,
  ];

  connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('mynah-error', (e) => this.showError((e as CustomEvent<ErrorDetail>).detail));
    void this.start();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client?.dispose();
    this.client = undefined;
  }

  private async start(): Promise<void> {
    // On a first visit, start the engine only once the service worker is in control, so every
    // file the engine downloads is also kept for offline use.
    const off = await offlineState();
    this.offline = off;
    // The worker took longer than we waited: finish the offline set-up when it takes over.
    if (off === 'installing') navigator.serviceWorker.addEventListener('controllerchange', () => ((this.offline = 'ready'), this.keepOffline()), { once: true });
    const q = new URLSearchParams(location.search).get('backend');
    const backend: BackendRequest = q === 'webgpu' || q === 'wasm' || q === 'auto' ? q : this.backend;
    try {
      const client = await Mynah.create({ backend, ortBase: assetUrl('ort/'), dicBase: assetUrl('ja/') });
      if (!this.isConnected) return client.dispose();
      this.client = client;
      this.info = client.backendInfo();
      await this.refreshVoices();
    } catch (e) {
      const d = errorDetail(e);
      this.engineError = d.message;
      this.showError({ code: d.code, message: `The voice engine could not start: ${d.message}` });
    }
  }

  private showError(d: ErrorDetail): void {
    if (this.errors.some((e) => e.message === d.message)) return;
    this.errors = [{ ...d, id: ++this.errorId }, ...this.errors].slice(0, 4);
  }

  private async refreshVoices(): Promise<void> {
    if (!this.client) return;
    try {
      this.voices = await this.client.voices.list();
      if (this.selected && !this.voices.some((v) => v.id === this.selected)) this.select('');
      // Nothing chosen yet: take the newest voice that works with the loaded pack.
      if (!this.selected) {
        const fit = this.voices.filter((v) => !this.pack || v.packId === this.pack.manifest.id);
        if (fit.length) this.select(fit[fit.length - 1].id);
      }
    } catch (e) {
      this.showError(errorDetail(e));
    }
  }

  private select(id: string): void {
    this.selected = id;
    rememberVoice(id);
  }

  private async packLoaded(summary: PackSummary): Promise<void> {
    this.pack = summary;
    await this.refreshInfo();
    await this.refreshVoices();
    await this.keepOffline();
  }

  /** Once a pack is loaded and the service worker is in control: cache what this visit used. */
  private async keepOffline(): Promise<void> {
    if (this.offline !== 'ready' || !this.pack) return;
    // The audio worklets load on the first recording / playback; keep them too, so both work
    // offline (and fetch nothing) even if they were never used online.
    const r = await precache([playerUrl, recorderUrl].map((u) => new URL(u, document.baseURI).href)).catch(() => undefined);
    if (r) this.offline = 'cached';
  }

  private async refreshInfo(): Promise<void> {
    try {
      this.info = await this.client?.refreshBackendInfo();
    } catch {
      // the engine is gone; its next call reports why
    }
  }

  private async cloned(r: CloneResult): Promise<void> {
    this.select(r.voice.id);
    await this.refreshVoices();
  }

  private renderOffline() {
    switch (this.offline) {
      case 'cached':
        return html`<span class="chip" title="This page and the loaded pack are kept in this browser">Works offline</span>`;
      case 'ready':
      case 'installing':
        return html`<span class="chip">Preparing offline use…</span>`;
      default:
        return nothing;
    }
  }

  render() {
    const voice = this.voices.find((v) => v.id === this.selected);
    return html`<header>
        <h1>Mynah</h1>
        <div class="status">
          <mynah-backend-badge .info=${this.info} .error=${this.engineError}></mynah-backend-badge>
          ${this.renderOffline()}
        </div>
      </header>
      <p class="tagline">Clone a voice from a few seconds of speech and make it say anything — in Chinese, English or Japanese. Everything runs in this browser; nothing you record or type leaves this device.</p>
      <mynah-error-banner .errors=${this.errors} @dismiss=${(e: CustomEvent<number>) => (this.errors = this.errors.filter((x) => x.id !== e.detail))}></mynah-error-banner>
      <main>
        <mynah-pack-panel class="wide" .client=${this.client} .pack=${this.pack} @pack-loaded=${(e: CustomEvent<PackSummary>) => this.packLoaded(e.detail)}></mynah-pack-panel>
        <mynah-reference-panel .client=${this.client} .pack=${this.pack} @voice-cloned=${(e: CustomEvent<CloneResult>) => this.cloned(e.detail)}></mynah-reference-panel>
        <mynah-voice-library .client=${this.client} .voices=${this.voices} .selected=${this.selected} .packId=${this.pack?.manifest.id ?? ''}
          @voice-select=${(e: CustomEvent<string>) => this.select(e.detail)} @voices-changed=${() => this.refreshVoices()}></mynah-voice-library>
        <mynah-speak-panel class="wide" id="speak" .client=${this.client} .pack=${this.pack} .voice=${voice} @speech-finished=${() => this.refreshInfo()}></mynah-speak-panel>
        <mynah-pronunciation-panel class="wide" .client=${this.client}></mynah-pronunciation-panel>
        <mynah-check-panel class="wide" .voices=${this.voices}></mynah-check-panel>
      </main>
      <footer>Mynah runs GPT-SoVITS (v1, v2, v2Pro, v2ProPlus, v3 and v4 models) with onnxruntime-web. Only clone voices you have permission to use.</footer>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-studio': MynahStudio;
  }
}
