import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { controls, type ErrorDetail } from './shared';

/** The Studio's error messages, newest first, each dismissible. Announced to screen readers. */
@customElement('mynah-error-banner')
export class ErrorBanner extends LitElement {
  @property({ attribute: false }) errors: (ErrorDetail & { id: number })[] = [];

  static styles = [
    controls,
    css`
      :host { display: block; }
      .error { display: flex; gap: 0.8rem; align-items: flex-start; background: var(--mynah-danger-bg); color: var(--mynah-fg); border-left: 0.35rem solid var(--mynah-danger); border-radius: 0.4rem; padding: 0.6rem 0.8rem; margin: 0.5rem 0; }
      .error p { margin: 0; flex: 1; }
      code { font-size: 0.8rem; color: var(--mynah-muted); }
    `,
  ];

  private dismiss(id: number): void {
    this.dispatchEvent(new CustomEvent('dismiss', { detail: id }));
  }

  render() {
    return html`<div role="alert" aria-live="assertive">
      ${this.errors.map(
        (e) => html`<div class="error" data-code=${e.code}>
          <p>${e.message} <code>${e.code}</code></p>
          <button class="small" @click=${() => this.dismiss(e.id)} aria-label="Dismiss this message">Dismiss</button>
        </div>`,
      )}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-error-banner': ErrorBanner;
  }
}
