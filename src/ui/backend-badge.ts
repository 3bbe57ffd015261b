import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BackendInfo } from '../client';

/** Shows which backend the engine really uses and why. */
@customElement('mynah-backend-badge')
export class BackendBadge extends LitElement {
  @property({ attribute: false }) info?: BackendInfo;
  @property() error = '';

  static styles = css`
    :host { display: inline-flex; align-items: center; gap: 0.5em; font: 0.9rem system-ui, sans-serif; }
    .badge { padding: 0.15em 0.6em; border-radius: 999px; font-weight: 600; background: #e7e7ef; color: #223; }
    .webgpu { background: #d9f2e3; color: #0b4d2a; }
    .wasm { background: #e3e8fb; color: #1b2f7a; }
    .error { background: #fde2e1; color: #7a1010; }
    .why { color: #556; }
  `;

  render() {
    if (this.error) return html`<span class="badge error" role="status">Engine error</span><span class="why">${this.error}</span>`;
    if (!this.info) return html`<span class="badge" role="status">Starting engine…</span>`;
    const i = this.info;
    const label = i.backend === 'webgpu' ? 'WebGPU' : `WASM · ${i.threads} thread${i.threads === 1 ? '' : 's'}`;
    return html`<span class="badge ${i.backend}" role="status" data-backend=${i.backend}>${label}</span>
      <span class="why">${i.reason}${i.adapter ? ` (${i.adapter})` : ''}</span>`;
  }
}
