// Microphone recording: getUserMedia (no echo cancellation, noise suppression or gain control,
// so the voice is captured as it is) → AudioWorklet that copies raw float32 PCM (lossless; no
// MediaRecorder and no codec) → blocks on the main thread. Live level readings for a meter, a
// maximum duration, and typed MynahErrors (MIC_DENIED, MIC_MISSING, MIC_BUSY, MIC_UNAVAILABLE).
// Browser only.
import { MynahError } from '../errors';
import { micError, noMediaDevices } from './mic-errors';
import { concat, toDb, type PcmAudio } from './pcm';
import { loadWorklet, recorderUrl } from './worklet-urls';

export interface LevelReading {
  /** Linear RMS and peak of the latest ~85 ms block (all channels). */
  rms: number;
  peak: number;
  rmsDb: number;
  peakDb: number;
  /** Seconds recorded so far. */
  seconds: number;
  /** The block reached full scale: too loud. */
  clipping: boolean;
}

export interface RecordOptions {
  /** Stops by itself after this many seconds (default 60). */
  maxSeconds?: number;
  onLevel?: (level: LevelReading) => void;
  deviceId?: string;
  /** Use this context instead of creating one (its sample rate is the recording's). */
  context?: AudioContext;
}

export interface Recording extends PcmAudio {
  seconds: number;
  stoppedBy: 'user' | 'max';
}

export interface Recorder {
  readonly sampleRate: number;
  /** Seconds captured so far. */
  readonly seconds: number;
  /** Stops and returns everything captured. */
  stop(): Promise<Recording>;
  /** Resolves when the recording stops for any reason (also at the maximum length). */
  readonly finished: Promise<Recording>;
  /** Stops and throws the audio away. */
  cancel(): void;
}

export async function startRecording(opts: RecordOptions = {}): Promise<Recorder> {
  const maxSeconds = opts.maxSeconds ?? 60;
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  if (!md?.getUserMedia) throw noMediaDevices();
  let stream: MediaStream;
  try {
    stream = await md.getUserMedia({
      audio: {
        ...(opts.deviceId ? { deviceId: { exact: opts.deviceId } } : {}),
        echoCancellation: false,
        noiseSuppression: false,
        autoGainControl: false,
      },
    });
  } catch (e) {
    throw micError(e);
  }
  if (stream.getAudioTracks().length === 0) {
    stream.getTracks().forEach((t) => t.stop());
    throw micError({ name: 'NotFoundError' });
  }

  const track = stream.getAudioTracks()[0];
  const settings = track.getSettings();
  const ownContext = !opts.context;
  let ctx: AudioContext;
  try {
    // Run at the microphone's own rate when it is known, so the browser does not resample.
    ctx = opts.context ?? new AudioContext(settings.sampleRate ? { sampleRate: settings.sampleRate, latencyHint: 'interactive' } : { latencyHint: 'interactive' });
  } catch {
    ctx = new AudioContext({ latencyHint: 'interactive' });
  }
  const releaseMic = () => {
    stream.getTracks().forEach((t) => t.stop());
    if (ownContext) void ctx.close();
  };
  let tap: PcmTap;
  let source: MediaStreamAudioSourceNode;
  try {
    tap = await createPcmTap(ctx, {
      channelCount: Math.max(1, Math.min(2, settings.channelCount ?? 1)),
      maxSeconds,
      onLevel: opts.onLevel,
      onFinish: () => {
        source.disconnect();
        releaseMic();
      },
    });
    source = ctx.createMediaStreamSource(stream);
    source.connect(tap.node);
    if (ctx.state !== 'running') await ctx.resume();
  } catch (e) {
    releaseMic();
    throw new MynahError('MIC_UNAVAILABLE', `Recording could not start (${(e as Error).message}). Reload the page and try again.`);
  }
  // A device unplugged mid-recording ends the track: keep what we have.
  track.addEventListener('ended', () => void tap.stop());
  return tap;
}

export interface PcmTap extends Recorder {
  /** Connect whatever should be recorded into this node. */
  readonly node: AudioWorkletNode;
}

export interface TapOptions {
  channelCount?: number;
  maxSeconds?: number;
  onLevel?: (level: LevelReading) => void;
  onFinish?: () => void;
}

/** Records whatever is connected into the returned node, losslessly (float32), on the audio thread. */
export async function createPcmTap(ctx: AudioContext, opts: TapOptions = {}): Promise<PcmTap> {
  await loadWorklet(ctx, recorderUrl);
  const node = new AudioWorkletNode(ctx, 'mynah-recorder', {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    channelCountMode: 'explicit',
    channelCount: opts.channelCount ?? 1,
    processorOptions: { maxFrames: Math.round((opts.maxSeconds ?? 60) * ctx.sampleRate) },
  });
  // A muted path to the destination keeps the node pulled on every browser.
  const sink = ctx.createGain();
  sink.gain.value = 0;
  node.connect(sink).connect(ctx.destination);

  const chunks: Float32Array[][] = [];
  let frames = 0;
  let settle!: (r: Recording) => void;
  const finished = new Promise<Recording>((ok) => (settle = ok));
  let done = false;
  const sampleRate = ctx.sampleRate;

  const finish = (stoppedBy: 'user' | 'max') => {
    if (done) return;
    done = true;
    node.disconnect();
    sink.disconnect();
    node.port.onmessage = null;
    opts.onFinish?.();
    const nch = chunks.reduce((m, c) => Math.max(m, c.length), 1);
    const channels = Array.from({ length: nch }, (_, c) => concat(chunks.map((b) => b[c] ?? b[0])));
    settle({ sampleRate, channels, seconds: frames / sampleRate, stoppedBy });
  };

  node.port.onmessage = (e: MessageEvent) => {
    const m = e.data;
    if (m.type === 'data') {
      chunks.push(m.channels);
      frames += m.frames;
      opts.onLevel?.({ rms: m.rms, peak: m.peak, rmsDb: toDb(m.rms), peakDb: toDb(m.peak), seconds: frames / sampleRate, clipping: m.peak >= 0.99 });
    } else if (m.type === 'done') {
      finish(m.reason === 'max' ? 'max' : 'user');
    }
  };

  return {
    node,
    sampleRate,
    get seconds() {
      return frames / sampleRate;
    },
    finished,
    stop() {
      if (!done) {
        node.port.postMessage({ type: 'stop' });
        // If the audio thread is no longer running (suspended context), finish with what we have.
        setTimeout(() => finish('user'), 1000);
      }
      return finished;
    },
    cancel() {
      chunks.length = 0;
      frames = 0;
      finish('user');
    },
  };
}
