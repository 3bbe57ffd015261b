// One "speak" action as the UI sees it: start a synthesis job, play its chunks as they arrive
// (gapless, through the worklet player), keep a copy for download, and stop on request. Shared by
// the Studio's speak panel and <mynah-speak>.
import { StreamPlayer } from '../audio/player';
import type { AudioChunk, Mynah, SynthesisOptions, SynthesisProgress, SynthesisReport } from '../client';

export interface SpeechOutcome {
  /** Absent when the job was stopped before it finished. */
  report?: SynthesisReport;
  cancelled: boolean;
  /** Everything produced (speech and pauses), in order; mono at `sampleRate` (the pack's). */
  pcm: Float32Array;
  sampleRate: number;
}

export interface SpeechHandlers {
  onChunk?: (chunk: AudioChunk) => void;
  /** The first sample reached the speakers. */
  onPlaying?: () => void;
  /** v3/v4: after each sampling step of the flow-matching decoder. */
  onProgress?: (p: SynthesisProgress) => void;
}

/**
 * Keeps one audio output for an element across plays: an AudioContext can only start after a
 * user gesture, and browsers limit how many a page may open.
 */
export class SpeechOutput {
  private player?: Promise<StreamPlayer>;
  private rate = 0;

  /**
   * Call from the click handler, so the audio context is created inside the user gesture. The
   * pack's rate (32 kHz; v3 24 kHz, v4 48 kHz): a player at another rate is replaced.
   */
  prepare(sampleRate = 32000, onStart?: () => void): Promise<StreamPlayer> {
    this.started = onStart;
    if (this.player && this.rate !== sampleRate) {
      const old = this.player;
      this.player = undefined;
      void old.then((p) => p.close()).catch(() => undefined);
    }
    this.rate = sampleRate;
    this.player ??= StreamPlayer.create({ sampleRate, prebufferSec: 0.15, onStart: () => this.started?.() });
    return this.player;
  }
  private started?: () => void;

  async close(): Promise<void> {
    const p = this.player;
    this.player = undefined;
    if (p) await (await p.catch(() => undefined))?.close();
  }
}

export class SpeechSession {
  private stopped = false;
  readonly done: Promise<SpeechOutcome>;
  private readonly stream;

  constructor(
    client: Mynah,
    text: string,
    voiceId: string,
    options: SynthesisOptions,
    private readonly output: Promise<StreamPlayer>,
    handlers: SpeechHandlers = {},
  ) {
    this.stream = client.synthesize(text, voiceId, options);
    this.stream.onprogress = handlers.onProgress;
    this.done = this.run(handlers);
  }

  private async run(h: SpeechHandlers): Promise<SpeechOutcome> {
    const player = await this.output;
    player.reset();
    const kept: Float32Array[] = [];
    let sampleRate = 32000;
    let total = 0;
    let announced = false;
    try {
      for await (const c of this.stream) {
        if (this.stopped) break;
        sampleRate = c.sampleRate;
        const copy = c.pcm.slice(); // the player takes ownership of what it is given
        kept.push(copy);
        total += copy.length;
        h.onChunk?.(c);
        player.push(c.pcm);
        if (!announced) {
          announced = true;
          h.onPlaying?.();
        }
      }
    } catch (e) {
      if (!this.stopped) {
        player.reset();
        throw e;
      }
    }
    let report: SynthesisReport | undefined;
    if (!this.stopped) {
      report = await this.stream.report;
      player.end();
      // A context the browser keeps suspended (no user gesture) never plays out: don't wait for it.
      if (player.context.state === 'running') await Promise.race([player.ended, this.whenStopped()]);
    }
    const pcm = new Float32Array(total);
    let at = 0;
    for (const k of kept) {
      pcm.set(k, at);
      at += k.length;
    }
    return { report: this.stopped ? undefined : report, cancelled: this.stopped, pcm, sampleRate };
  }

  private stopWake?: () => void;
  private whenStopped(): Promise<void> {
    return new Promise((ok) => (this.stopWake = ok));
  }

  /** Stops generation (within one decode step) and silences what is still buffered. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopWake?.();
    (await this.output).reset();
    await this.stream.cancel().catch(() => false);
  }
}
