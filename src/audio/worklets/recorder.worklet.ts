// Runs on the audio thread: copies the microphone's PCM (every channel, float32, untouched) into
// blocks of ~85 ms, posts them with their level (RMS and peak), and stops by itself at the
// maximum length. Messages in: {type:'stop'}. Out: {type:'data', channels, rms, peak, frames}
// per block, then {type:'done', reason:'stop'|'max', frames}.

// AudioWorkletGlobalScope names (not in TypeScript's DOM lib), declared for this module only.
declare const sampleRate: number;
declare const currentFrame: number;
declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: { processorOptions?: unknown; numberOfInputs?: number; numberOfOutputs?: number });
  abstract process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}
declare function registerProcessor(name: string, ctor: new (options?: any) => AudioWorkletProcessor): void;

const BLOCK = 4096;

class RecorderProcessor extends AudioWorkletProcessor {
  private blocks: Float32Array[] = [];
  private fill = 0;
  private frames = 0;
  private readonly maxFrames: number;
  private finished = false;

  constructor(options?: { processorOptions?: { maxFrames?: number } }) {
    super();
    this.maxFrames = options?.processorOptions?.maxFrames ?? Infinity;
    this.port.onmessage = (e: MessageEvent) => {
      if (e.data?.type === 'stop') this.finish('stop');
    };
  }

  process(inputs: Float32Array[][]): boolean {
    if (this.finished) return false;
    const input = inputs[0];
    if (!input || input.length === 0) return true; // not connected yet
    if (this.blocks.length !== input.length) {
      // First quantum, or the channel count changed: start a fresh block layout.
      this.flush();
      this.blocks = input.map(() => new Float32Array(BLOCK));
      this.fill = 0;
    }
    const n = Math.min(input[0].length, this.maxFrames - this.frames);
    let at = 0;
    while (at < n) {
      const take = Math.min(n - at, BLOCK - this.fill);
      for (let c = 0; c < input.length; c++) this.blocks[c].set(input[c].subarray(at, at + take), this.fill);
      this.fill += take;
      at += take;
      if (this.fill === BLOCK) this.flush();
    }
    this.frames += n;
    if (this.frames >= this.maxFrames) this.finish('max');
    return !this.finished;
  }

  private flush(): void {
    if (this.fill === 0 || this.blocks.length === 0) return;
    const channels = this.blocks.map((b) => b.slice(0, this.fill));
    let sum = 0;
    let peak = 0;
    for (const ch of channels)
      for (let i = 0; i < ch.length; i++) {
        sum += ch[i] * ch[i];
        const a = Math.abs(ch[i]);
        if (a > peak) peak = a;
      }
    const rms = Math.sqrt(sum / (this.fill * channels.length));
    this.port.postMessage({ type: 'data', channels, rms, peak, frames: this.fill }, channels.map((c) => c.buffer));
    this.fill = 0;
  }

  private finish(reason: 'stop' | 'max'): void {
    if (this.finished) return;
    this.flush();
    this.finished = true;
    this.port.postMessage({ type: 'done', reason, frames: this.frames });
  }
}

registerProcessor('mynah-recorder', RecorderProcessor);

export {};
