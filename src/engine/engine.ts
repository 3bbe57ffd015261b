// The engine lives inside the worker (or a Node process in tests) and owns every
// onnxruntime-web session. The worker exposes it through comlink; nothing else touches ORT.
import type * as Ort from 'onnxruntime-web';
import type { UseStore } from 'idb-keyval';
import { MynahError } from '../errors';
import { fetchPack, type FetchProgress, type LoadedPack } from '../pack/fetch';
import type { PackManifest } from '../pack/manifest';
import { getVoice, saveVoice, voiceStore, type Voice } from '../store/voices';
import { chooseBackend, type BackendInfo, type BackendRequest, type OrtModule } from './backend';
import type { PrecisionRequest } from './precision';
import { loadModels, releaseSessions, type BertAvailability, type LoadedModels } from './models';
import { buildProbeGraph, probeFeeds } from './probe';
import { JobQueue, type JobId } from './queue';
import { synthesize, type ChunkSink, type SynthesisOptions, type SynthesisReport } from './synthesize';
import { toOrt, toPlain, type PlainTensor } from './tensors';
import { addVoiceReferences, extractVoice, type CloneRequest, type CloneTimings } from './voice';
import type { PcmAudio } from '../audio/pcm';
import { assertAllowed, contentFilterConfig, type ContentFilterConfig } from '../safety/filter';
import { isLocked, unlockVoice } from '../store/lock';

export interface EngineOptions {
  backend?: BackendRequest;
  /**
   * Precision of the T2S and SoVITS decoders. 'auto': fp16 on WebGPU with shader-f16, else fp32
   * ('int8' is WASM's opt-in); backendInfo().precision says what was chosen and why.
   */
  precision?: PrecisionRequest;
  /**
   * The operator's content filter (deny-list and rules; `enabled: false` turns it off). Set by the
   * embedding site's code when it creates the engine, never from end-user input.
   */
  contentFilter?: Partial<ContentFilterConfig>;
  /** Key of the output watermark; detectWatermark needs the same key. */
  watermarkKey?: string;
  /** Where kuromoji's dictionary files are (URL in a browser; Node reads node_modules). */
  dicBase?: string;
}

export interface PackSummary {
  manifest: PackManifest;
  /** Total bytes of the pack's files. */
  bytes: number;
  loadMs: number;
  /** Whether Chinese text gets BERT features with this pack, and why not when it does not. */
  bert: BertAvailability;
}

export interface CloneResult {
  voice: Voice;
  warnings: string[];
  /** Where cloning spent its time (HuBERT + codes, speaker verification, reference encoder). */
  timings?: CloneTimings;
}

export interface EngineDeps {
  scope?: typeof globalThis;
  /** Voice store (tests pass their own; the app uses the default IndexedDB store). */
  voices?: UseStore;
}

/** A WebGPU failure that the WASM backend can recover from. */
function isDeviceFailure(e: unknown, lost: boolean): boolean {
  if (lost) return true;
  const msg = String((e as Error)?.message ?? e);
  return /device (is |was )?lost|GPUDevice|mapAsync|destroyed buffer/i.test(msg);
}

export class Engine {
  private info?: BackendInfo;
  private readonly scope: typeof globalThis;
  private readonly voices?: UseStore;
  private options: EngineOptions = {};
  private models?: LoadedModels;
  private packSource?: () => Promise<LoadedPack>;
  private readonly queue = new JobQueue();
  private deviceLost = false;
  /** Rejects when the WebGPU device goes away (never settles otherwise). */
  private lost: Promise<never> = this.newLost();
  private failLost?: (e: Error) => void;
  private readonly watched = new WeakSet<object>();
  private destroyingDevice = false;

  constructor(
    private readonly ort: OrtModule,
    deps: EngineDeps = {},
  ) {
    this.scope = deps.scope ?? globalThis;
    this.voices = deps.voices;
  }

  async init(options: EngineOptions = {}): Promise<BackendInfo> {
    this.options = options;
    this.info = await chooseBackend(this.ort, options.backend ?? 'auto', this.scope, options.precision);
    return this.info;
  }

  private newLost(): Promise<never> {
    const p = new Promise<never>((_, fail) => (this.failLost = fail));
    p.catch(() => {});
    return p;
  }

  /**
   * Watches the device ORT currently runs on (ORT may replace its device, so this is re-armed
   * before every job). A device ORT destroys itself is not a loss; any other loss fails the
   * running job, whose GPU work may otherwise never settle.
   */
  private async watchDevice(): Promise<void> {
    if (this.info?.backend !== 'webgpu') return;
    const device = (await this.ort.env.webgpu.device) as unknown as { lost?: Promise<{ reason?: string; message?: string }> } | undefined;
    if (!device?.lost || this.watched.has(device)) return;
    this.watched.add(device);
    device.lost.then((why) => {
      if (why?.reason === 'destroyed' && !this.destroyingDevice) return;
      this.destroyingDevice = false;
      this.deviceLost = true;
      console.warn(`Mynah: the GPU went away (${why?.message || 'no reason given'}); switching to WASM`);
      this.failLost?.(new MynahError('WEBGPU_LOST', `The WebGPU device was lost (${why?.message || 'no reason given'}).`));
    });
  }

  private store(): UseStore {
    return this.voices ?? voiceStore();
  }

  /**
   * Loads a pack and creates its sessions. `source`: the URL of a pack.json, a pack in memory, or
   * a loader (e.g. from the pack store) that is called again if sessions must be re-created.
   */
  async loadPack(source: string | LoadedPack | (() => Promise<LoadedPack>), onProgress?: (p: FetchProgress) => void): Promise<PackSummary> {
    const started = performance.now();
    // A URL's files are fetched one at a time as their sessions are made, so the download is never
    // held whole next to the sessions.
    const load = typeof source === 'string' ? () => fetchPack(source, { onProgress, lazy: true }) : typeof source === 'function' ? source : async () => source;
    const pack = await load();
    // A loader can be called again, so the bytes need not outlive their sessions; a pack object
    // handed in stays the caller's.
    try {
      await this.createModels(pack, typeof source !== 'object');
    } catch (e) {
      // The old pack's sessions are gone (two packs at once could exceed memory), so a pack that
      // fails half-way (a file that won't download, a bad graph) brings the previous one back.
      if (this.packSource) await this.createModels(await this.packSource()).catch(() => undefined);
      throw e;
    }
    this.packSource = load;
    return { manifest: pack.manifest, bytes: pack.manifest.files.reduce((a, f) => a + f.bytes, 0), loadMs: performance.now() - started, bert: this.loaded().bertInfo };
  }

  private async createModels(pack: LoadedPack, release = false): Promise<void> {
    const old = this.models;
    this.models = undefined;
    if (old) await releaseSessions(old.sessions);
    const info = this.backendInfo();
    this.models = await loadModels(this.ort, pack, (bytes, o) => this.createSession(bytes, o), info.backend === 'webgpu', undefined, { precision: info.precision, release });
  }

  private loaded(): LoadedModels {
    if (!this.models) throw new MynahError('NO_PACK', 'No model pack is loaded. Load a pack first.');
    return this.models;
  }

  /** After a lost WebGPU device: every session moves to WASM, and backendInfo says why. */
  private async fallBackToWasm(cause: unknown): Promise<void> {
    const why = `WebGPU failed (${String((cause as Error)?.message ?? cause).slice(0, 160)}); switched to WASM`;
    const info = await chooseBackend(this.ort, 'wasm', this.scope, this.options.precision);
    this.info = { ...info, reason: why };
    this.deviceLost = false;
    this.lost = this.newLost();
    // Sessions on the lost device are dropped, not released: releasing may wait on the dead queue.
    this.models = undefined;
    if (this.packSource) await this.createModels(await this.packSource());
  }

  /**
   * Runs a job in the queue. A WebGPU device failure moves the engine to WASM; the job is
   * retried there when it had not yet produced output, else it fails with WEBGPU_LOST.
   */
  private job<T>(work: (signal: AbortSignal, produced: () => void) => Promise<T>): { id: JobId; result: Promise<T> } {
    return this.queue.submit(async (signal) => {
      let producedOutput = false;
      const produced = () => (producedOutput = true);
      try {
        await this.watchDevice();
        return await Promise.race([work(signal, produced), this.lost]);
      } catch (e) {
        if (signal.aborted || this.info?.backend !== 'webgpu' || !isDeviceFailure(e, this.deviceLost)) throw e;
        await this.fallBackToWasm(e);
        if (producedOutput) throw new MynahError('WEBGPU_LOST', 'The GPU stopped responding mid-way; Mynah switched to WASM (CPU). Start again to hear the whole text.');
        return work(signal, produced);
      }
    });
  }

  /** Clones a voice from reference audio and saves it in the voice library. */
  cloneVoice(req: CloneRequest): { id: JobId; result: Promise<CloneResult> } {
    return this.job(async (signal) => {
      const r = await extractVoice(this.loaded(), req, { dicBase: this.options.dicBase, signal });
      await saveVoice(r.voice, this.store());
      return r;
    });
  }

  /**
   * Adds recordings of the same speaker to a saved voice (at most MAX_VOICE_REFERENCES in all):
   * its ge becomes the mean over every reference, as upstream's auxiliary references combine.
   * The voice must be unlocked and made with the loaded pack.
   */
  addVoiceReferences(voiceId: string, audio: PcmAudio[]): { id: JobId; result: Promise<CloneResult> } {
    return this.job(async (signal) => {
      const voice = await getVoice(voiceId, this.store());
      if (isLocked(voice)) throw new MynahError('VOICE_LOCKED', `The voice "${voice.name}" is locked. Unlock it before adding recordings.`);
      const r = await addVoiceReferences(this.loaded(), voice, audio, { signal });
      await saveVoice(r.voice, this.store());
      return r;
    });
  }

  /**
   * Speaks `text` in a saved voice; chunks go to `emit` as they are ready. A locked voice needs
   * its passphrase; it is decrypted for this job only, never stored unlocked.
   */
  synthesize(text: string, voiceId: string, options: SynthesisOptions & { passphrase?: string }, emit: ChunkSink): { id: JobId; result: Promise<SynthesisReport> } {
    const { passphrase, ...synthOptions } = options;
    return this.job(async (signal, produced) => {
      assertAllowed(text, this.filter());
      let voice = await getVoice(voiceId, this.store());
      if (isLocked(voice)) {
        if (!passphrase) throw new MynahError('VOICE_LOCKED', `The voice "${voice.name}" is locked. Enter its passphrase to use it.`);
        voice = await unlockVoice(voice, passphrase);
      }
      return synthesize(this.loaded(), voice, text, synthOptions, (c) => (produced(), emit(c)), { signal, dicBase: this.options.dicBase, watermarkKey: this.options.watermarkKey });
    });
  }

  private filterConfig?: Readonly<ContentFilterConfig>;
  private filter(): Readonly<ContentFilterConfig> {
    return (this.filterConfig ??= contentFilterConfig(this.options.contentFilter ?? {}));
  }

  cancel(id: JobId): boolean {
    return this.queue.cancel(id);
  }

  /** Test hook: destroys the WebGPU device as a driver reset would. */
  async loseDevice(): Promise<boolean> {
    if (this.info?.backend !== 'webgpu') return false;
    const device = (await this.ort.env.webgpu.device) as unknown as { destroy(): void };
    await this.watchDevice();
    this.destroyingDevice = true;
    device.destroy();
    return true;
  }

  async dispose(): Promise<void> {
    if (this.models) await releaseSessions(this.models.sessions);
    this.models = undefined;
  }

  backendInfo(): BackendInfo {
    if (!this.info) throw new MynahError('NOT_READY', 'The engine has not been initialised; call init() first.');
    return this.info;
  }

  /** Creates a session on the chosen backend. */
  async createSession(model: Uint8Array, options: Ort.InferenceSession.SessionOptions = {}): Promise<Ort.InferenceSession> {
    const { backend } = this.backendInfo();
    return this.ort.InferenceSession.create(model, { executionProviders: [backend], graphOptimizationLevel: 'all', ...options });
  }

  /**
   * Runs any ONNX model once on the chosen backend (diagnostics and tests). On WebGPU the outputs
   * are requested as GPU buffers, so `locations` proves which device produced them.
   */
  async runModel(model: Uint8Array, feeds: Record<string, PlainTensor>): Promise<{ outputs: Record<string, PlainTensor>; locations: Record<string, string> }> {
    const onGpu = this.backendInfo().backend === 'webgpu';
    const session = await this.createSession(model, onGpu ? { preferredOutputLocation: 'gpu-buffer' } : {});
    try {
      const ortFeeds: Record<string, Ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(this.ort, t);
      const out = await session.run(ortFeeds);
      const outputs: Record<string, PlainTensor> = {};
      const locations: Record<string, string> = {};
      for (const [name, t] of Object.entries(out)) {
        locations[name] = t.location;
        outputs[name] = await toPlain(t);
        t.dispose();
      }
      return { outputs, locations };
    } finally {
      await session.release();
    }
  }

  /** Builds the probe graph here (TypeScript -> ONNX) and runs it on the chosen backend. */
  async runProbe(): Promise<{ y: PlainTensor; location: string }> {
    const feeds: Record<string, PlainTensor> = {};
    for (const [name, t] of Object.entries(probeFeeds(this.ort))) feeds[name] = await toPlain(t);
    const { outputs, locations } = await this.runModel(buildProbeGraph().toBytes(), feeds);
    return { y: outputs.y, location: locations.y };
  }
}
