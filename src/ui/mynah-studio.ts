import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { Mynah, type BackendInfo } from '../client';
import './backend-badge';

/** The Mynah Studio page. For now: starts the engine and shows the backend it got. */
@customElement('mynah-studio')
export class MynahStudio extends LitElement {
  @state() private info?: BackendInfo;
  @state() private error = '';
  private client?: Mynah;

  static styles = css`
    :host { display: block; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; font: 1rem/1.5 system-ui, sans-serif; color: #1d1d28; }
    header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 1rem; }
    h1 { margin: 0; font-size: 1.6rem; }
  `;

  connectedCallback(): void {
    super.connectedCallback();
    const backend = new URLSearchParams(location.search).get('backend');
    Mynah.create({ backend: backend === 'webgpu' || backend === 'wasm' ? backend : 'auto' })
      .then((c) => {
        this.client = c;
        this.info = c.backendInfo();
      })
      .catch((e: Error) => (this.error = e.message));
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client?.dispose();
  }

  render() {
    return html`<header>
      <h1>Mynah</h1>
      <mynah-backend-badge .info=${this.info} .error=${this.error}></mynah-backend-badge>
    </header>
    <p>Voice cloning that runs entirely in your browser. Nothing you record or type leaves this device.</p>`;
  }
}
