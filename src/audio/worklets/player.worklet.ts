// Runs on the audio thread: plays mono chunks from a ring buffer back to back (see ../ring.ts).
// Messages in: {type:'push', data: Float32Array}, {type:'end'}, {type:'reset'}, {type:'stats', id}.
// Out: {type:'started'|'underrun'|'ended', frame, underruns, played}, {type:'stats', id, ...}.
import { PlaybackRing } from '../ring';

// AudioWorkletGlobalScope names (not in TypeScript's DOM lib), declared for this module only.
declare const sampleRate: number;
declare const currentFrame: number;
declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: { processorOptions?: unknown; numberOfInputs?: number; numberOfOutputs?: number });
  abstract process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}
declare function registerProcessor(name: string, ctor: new (options?: any) => AudioWorkletProcessor): void;

class PlayerProcessor extends AudioWorkletProcessor {
  private readonly ring: PlaybackRing;
  private mono = new Float32Array(128);

  constructor(options?: { processorOptions?: { prebuffer?: number } }) {
    super();
    this.ring = new PlaybackRing(options?.processorOptions?.prebuffer ?? Math.round(0.1 * sampleRate), 1 << 17);
    this.port.onmessage = (e: MessageEvent) => {
      const m = e.data;
      if (m.type === 'push') this.ring.write(m.data as Float32Array);
      else if (m.type === 'end') this.ring.end();
      else if (m.type === 'reset') this.ring.reset();
      else if (m.type === 'stats') this.port.postMessage({ type: 'stats', id: m.id, ...this.snapshot() });
    };
  }

  private snapshot() {
    return { frame: currentFrame, underruns: this.ring.underruns, played: this.ring.played, buffered: this.ring.available, state: this.ring.state };
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0];
    const n = out[0]?.length ?? 128;
    if (this.mono.length !== n) this.mono = new Float32Array(n);
    const r = this.ring.render(this.mono);
    for (const ch of out) ch.set(this.mono);
    if (r.started) this.port.postMessage({ type: 'started', ...this.snapshot() });
    if (r.underrun) this.port.postMessage({ type: 'underrun', ...this.snapshot() });
    if (r.drained) this.port.postMessage({ type: 'ended', ...this.snapshot() });
    return true;
  }
}

registerProcessor('mynah-player', PlayerProcessor);
