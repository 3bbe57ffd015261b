// The streaming player's buffer, kept free of Web Audio so it can be unit-tested: a growable ring
// of samples with a small state machine (buffering → playing → drained). Chunks are laid end to
// end sample-exactly, so whatever arrives in time plays without gaps; when the ring runs dry before
// the stream has ended that is an underrun: silence is played and playback waits for the
// prebuffer to fill again.

export type PlaybackState = 'buffering' | 'playing' | 'drained';

export interface RenderReport {
  /** Playback (re)started in this quantum. */
  started: boolean;
  /** The ring ran dry before the end of the stream in this quantum. */
  underrun: boolean;
  /** The stream ended and everything has been played. */
  drained: boolean;
}

export class PlaybackRing {
  private buf: Float32Array;
  private read = 0; // absolute counts; positions are taken modulo capacity
  private written = 0;
  private eos = false;
  state: PlaybackState = 'buffering';
  underruns = 0;
  /** Samples that came out of the ring (not counting silence). */
  played = 0;

  constructor(
    private readonly prebuffer: number,
    capacity = 1 << 16,
  ) {
    this.buf = new Float32Array(Math.max(capacity, 128));
  }

  get available(): number {
    return this.written - this.read;
  }

  get ended(): boolean {
    return this.eos;
  }

  write(samples: Float32Array): void {
    if (this.eos) return;
    if (this.available + samples.length > this.buf.length) this.grow(this.available + samples.length);
    const cap = this.buf.length;
    const at = this.written % cap;
    const first = Math.min(samples.length, cap - at);
    this.buf.set(samples.subarray(0, first), at);
    if (first < samples.length) this.buf.set(samples.subarray(first), 0);
    this.written += samples.length;
  }

  /** No more samples will come; what is buffered still plays. */
  end(): void {
    this.eos = true;
  }

  /** Drops everything and starts over (a new stream). */
  reset(): void {
    this.read = this.written = 0;
    this.eos = false;
    this.state = 'buffering';
    this.underruns = 0;
    this.played = 0;
  }

  /** Fills `out` (one render quantum) and reports state changes. */
  render(out: Float32Array): RenderReport {
    const report: RenderReport = { started: false, underrun: false, drained: false };
    let filled = 0;
    if (this.state === 'buffering' && (this.available >= this.prebuffer || (this.eos && this.available > 0))) {
      this.state = 'playing';
      report.started = true;
    }
    if (this.state === 'playing') {
      filled = this.take(out, Math.min(out.length, this.available));
      if (filled < out.length) {
        if (this.eos) {
          this.state = 'drained';
          report.drained = true;
        } else {
          this.state = 'buffering';
          this.underruns++;
          report.underrun = true;
        }
      }
    } else if (this.state === 'buffering' && this.eos && this.available === 0) {
      this.state = 'drained';
      report.drained = true;
    }
    out.fill(0, filled);
    return report;
  }

  private take(out: Float32Array, n: number): number {
    const cap = this.buf.length;
    const at = this.read % cap;
    const first = Math.min(n, cap - at);
    out.set(this.buf.subarray(at, at + first), 0);
    if (first < n) out.set(this.buf.subarray(0, n - first), first);
    this.read += n;
    this.played += n;
    return n;
  }

  private grow(needed: number): void {
    let cap = this.buf.length;
    while (cap < needed) cap *= 2;
    const next = new Float32Array(cap);
    const n = this.available;
    const old = this.buf.length;
    for (let i = 0; i < n; i++) next[i] = this.buf[(this.read + i) % old];
    this.buf = next;
    this.written = n;
    this.read = 0;
    // `played` keeps counting; read/written restart from the compacted start.
  }
}
