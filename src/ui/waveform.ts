import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

/**
 * The reference recording as a waveform, with the 3–10 s stretch Mynah picked for cloning shaded.
 * Draws min/max per pixel column, so any length costs one pass over the samples per redraw.
 */
@customElement('mynah-waveform')
export class Waveform extends LitElement {
  /** Mono samples. */
  @property({ attribute: false }) samples?: Float32Array;
  @property({ type: Number }) sampleRate = 48000;
  /** Highlighted range in samples, [start, end). */
  @property({ attribute: false }) window?: { start: number; end: number };
  @query('canvas') private canvas!: HTMLCanvasElement;
  private resize?: ResizeObserver;

  static styles = css`
    :host { display: block; position: relative; }
    canvas { display: block; width: 100%; height: 6rem; border-radius: 0.4rem; background: var(--mynah-surface, #f4f4f9); }
    .axis { display: flex; justify-content: space-between; font-size: 0.8rem; color: var(--mynah-muted, #555); }
  `;

  connectedCallback(): void {
    super.connectedCallback();
    this.resize = new ResizeObserver(() => this.draw());
    this.updateComplete.then(() => this.resize?.observe(this.canvas));
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has('samples') || changed.has('window')) this.draw();
  }

  private description(): string {
    const n = this.samples?.length ?? 0;
    if (!n) return 'No audio yet';
    const sec = (x: number) => (x / this.sampleRate).toFixed(1);
    const w = this.window;
    return `Waveform of ${sec(n)} seconds of audio` + (w ? `; the stretch from ${sec(w.start)} s to ${sec(w.end)} s is used for cloning` : '');
  }

  private draw(): void {
    const c = this.canvas;
    const x = this.samples;
    if (!c) return;
    const dpr = globalThis.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(c.clientWidth * dpr));
    const h = Math.max(1, Math.round(c.clientHeight * dpr));
    c.width = w;
    c.height = h;
    const g = c.getContext('2d');
    if (!g) return;
    const style = getComputedStyle(this);
    g.clearRect(0, 0, w, h);
    if (!x?.length) return;
    const per = x.length / w;
    if (this.window) {
      g.fillStyle = style.getPropertyValue('--mynah-window').trim() || 'rgba(51,70,200,0.16)';
      const a = this.window.start / per;
      const b = this.window.end / per;
      g.fillRect(a, 0, b - a, h);
      g.fillStyle = style.getPropertyValue('--mynah-accent').trim() || '#3346c8';
      g.fillRect(a, 0, Math.max(1, dpr), h);
      g.fillRect(b - Math.max(1, dpr), 0, Math.max(1, dpr), h);
    }
    const mid = h / 2;
    for (let col = 0; col < w; col++) {
      const from = Math.floor(col * per);
      const to = Math.min(x.length, Math.max(from + 1, Math.floor((col + 1) * per)));
      let lo = 0;
      let hi = 0;
      for (let i = from; i < to; i++) {
        const v = x[i];
        if (v < lo) lo = v;
        else if (v > hi) hi = v;
      }
      const inWindow = this.window && from >= this.window.start && from < this.window.end;
      g.fillStyle = inWindow ? style.getPropertyValue('--mynah-accent').trim() || '#3346c8' : style.getPropertyValue('--mynah-muted').trim() || '#888';
      g.fillRect(col, mid - hi * mid, 1, Math.max(1, (hi - lo) * mid));
    }
  }

  render() {
    const n = this.samples?.length ?? 0;
    return html`<canvas role="img" aria-label=${this.description()}></canvas>
      ${n ? html`<div class="axis" aria-hidden="true"><span>0 s</span><span>${(n / this.sampleRate).toFixed(1)} s</span></div>` : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mynah-waveform': Waveform;
  }
}
