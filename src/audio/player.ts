// Streaming playback: chunks (mono float32) are posted to an AudioWorklet that keeps them in a
// ring buffer and plays them back to back, sample-exact, as they arrive. The context runs at the
// stream's rate (32 kHz for SoVITS v2), so nothing is resampled. When the buffer runs dry before
// end() the worklet plays silence, counts an underrun, reports it, and resumes once the prebuffer
// has refilled. Browser only.
import { MynahError } from '../errors';
import { loadWorklet, playerUrl } from './worklet-urls';

export interface PlayerEvent {
  /** Context frame at which it happened. */
  frame: number;
  underruns: number;
  /** Samples played from the stream so far. */
  played: number;
}

export interface PlayerOptions {
  /** Rate of the chunks (default 32000). */
  sampleRate?: number;
  /** Seconds buffered before playback starts, and again after an underrun (default 0.1). */
  prebufferSec?: number;
  /** Play in this context (its rate must equal sampleRate) instead of a new one. */
  context?: AudioContext;
  /** Connect here instead of the speakers (e.g. to record or analyse the output). */
  destination?: (ctx: AudioContext) => AudioNode;
  onStart?: (e: PlayerEvent) => void;
  onUnderrun?: (e: PlayerEvent) => void;
  onEnded?: (e: PlayerEvent) => void;
}

export interface PlayerStats extends PlayerEvent {
  buffered: number;
  state: 'buffering' | 'playing' | 'drained';
}

export class StreamPlayer {
  private statsId = 0;
  private readonly pending = new Map<number, (s: PlayerStats) => void>();
  private endedResolve!: () => void;
  private endedPromise = this.newEnded();
  readonly underrunEvents: PlayerEvent[] = [];

  private constructor(
    readonly context: AudioContext,
    private readonly node: AudioWorkletNode,
    private readonly ownsContext: boolean,
    opts: PlayerOptions,
  ) {
    node.port.onmessage = (e: MessageEvent) => {
      const m = e.data;
      const ev: PlayerEvent = { frame: m.frame, underruns: m.underruns, played: m.played };
      if (m.type === 'started') opts.onStart?.(ev);
      else if (m.type === 'underrun') {
        this.underrunEvents.push(ev);
        opts.onUnderrun?.(ev);
      } else if (m.type === 'ended') {
        opts.onEnded?.(ev);
        this.endedResolve();
      } else if (m.type === 'stats') {
        this.pending.get(m.id)?.(m as PlayerStats);
        this.pending.delete(m.id);
      }
    };
  }

  private newEnded(): Promise<void> {
    return new Promise<void>((ok) => (this.endedResolve = ok));
  }

  /** Resolves when the stream has ended and every sample has been played. */
  get ended(): Promise<void> {
    return this.endedPromise;
  }

  static async create(opts: PlayerOptions = {}): Promise<StreamPlayer> {
    const rate = opts.sampleRate ?? 32000;
    let ctx: AudioContext;
    if (opts.context) {
      ctx = opts.context;
      if (ctx.sampleRate !== rate) throw new MynahError('AUDIO_OUTPUT', `The audio context runs at ${ctx.sampleRate} Hz but the stream is ${rate} Hz.`);
    } else {
      try {
        ctx = new AudioContext({ sampleRate: rate, latencyHint: 'playback' });
      } catch (e) {
        throw new MynahError('AUDIO_OUTPUT', `Audio playback is not available at ${rate} Hz in this browser (${(e as Error).message}).`);
      }
    }
    await loadWorklet(ctx, playerUrl);
    const node = new AudioWorkletNode(ctx, 'mynah-player', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { prebuffer: Math.round((opts.prebufferSec ?? 0.1) * rate) },
    });
    node.connect(opts.destination?.(ctx) ?? ctx.destination);
    if (ctx.state !== 'running') await ctx.resume().catch(() => undefined);
    return new StreamPlayer(ctx, node, !opts.context, opts);
  }

  /** Queues a chunk right after the previous one. The array is transferred (do not reuse it). */
  push(chunk: Float32Array): void {
    if (!(chunk instanceof Float32Array)) return;
    const own = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
    // NaN or infinite samples (never produced by the engine, which refuses them) play as silence
    // rather than poisoning the output node.
    for (let i = 0; i < own.length; i++) if (!Number.isFinite(own[i])) own[i] = 0;
    this.node.port.postMessage({ type: 'push', data: own }, [own.buffer as ArrayBuffer]);
  }

  /** No more chunks: play out what is buffered, then `ended` resolves. */
  end(): void {
    this.node.port.postMessage({ type: 'end' });
  }

  /** Drops what is buffered and starts a new stream (counters restart, `ended` is renewed). */
  reset(): void {
    this.node.port.postMessage({ type: 'reset' });
    this.underrunEvents.length = 0;
    this.endedPromise = this.newEnded();
  }

  stats(): Promise<PlayerStats> {
    const id = ++this.statsId;
    return new Promise((ok) => {
      this.pending.set(id, ok);
      this.node.port.postMessage({ type: 'stats', id });
    });
  }

  async close(): Promise<void> {
    this.node.disconnect();
    this.node.port.onmessage = null;
    if (this.ownsContext) await this.context.close();
  }
}
