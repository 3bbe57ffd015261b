import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

/** Live input level while recording: a bar from -60 dBFS to 0, red when the input clips. */
@customElement('mynah-level-meter')
export class LevelMeter extends LitElement {
  /** RMS level, dBFS. */
  @property({ type: Number }) db = -Infinity;
  @property({ type: Boolean }) clipping = false;
  @query('.bar') private bar?: HTMLElement;

  static styles = css`
    :host { display: block; }
    .track { height: 0.8rem; border-radius: 0.4rem; background: var(--mynah-surface, #eee); border: 1px solid var(--mynah-border, #ccc); overflow: hidden; }
    .bar { height: 100%; background: linear-gradient(90deg, #2e9d5b 0 70%, #d9a400 70% 90%, #c62828 90%); transition: width 80ms linear; }
    .clip .bar { background: #c62828; }
  `;

  private get pct(): number {
    return Number.isFinite(this.db) ? Math.max(0, Math.min(100, ((this.db + 60) / 60) * 100)) : 0;
  }

  // The width is set through CSSOM after each render: a Content-Security-Policy without
  // 'unsafe-inline' styles refuses style="" attributes (Lit's styleMap writes one on first render).
  protected updated(): void {
    if (this.bar) this.bar.style.width = `${this.pct}%`;
  }

  render() {
    const label = Number.isFinite(this.db) ? `${Math.round(this.db)} dB` : 'silence';
    return html`<div class="track ${this.clipping ? 'clip' : ''}" role="meter" aria-label="Input level" aria-valuemin="-60" aria-valuemax="0"
      aria-valuenow=${Number.isFinite(this.db) ? Math.round(Math.max(-60, this.db)) : -60} aria-valuetext=${this.clipping ? `${label}, too loud` : label}>
      <div class="bar"></div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-level-meter': LevelMeter;
  }
}
