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
import { currentPronunciations } from '../store/pronunciations';
import { splitText, textToPhones, type LangMode } from '../text/frontend';
import type { ModelVersion as TextModelVersion } from '../text/symbols';
import { synthesize, type ChunkSink, type SynthesisOptions, type SynthesisProgress, type SynthesisReport } from './synthesize';
import { toOrt, toPlain, type PlainTensor } from './tensors';
import { addVoiceReferences, extractVoice, type CloneRequest, type CloneTimings } from './voice';
import type { PcmAudio } from '../audio/pcm';
import { assertAllowed, contentFilterConfig, type ContentFilterConfig } from '../safety/filter';
import { isLocked, unlockVoice } from '../store/lock';
import { checkCloneRequest, checkEngineOptions, checkPackShape, checkPackUrl, checkReferenceList, checkSynthesisOptions, checkText, checkVoiceId } from '../validate';
import { validateManifest } from '../pack/manifest';

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
  /** Where the Japanese dictionary is (URL in a browser; Node reads data/ja/). */
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

export interface LoadOptions {
  /** A download that sends nothing for this long fails with PACK_FETCH_TIMEOUT (default 30 s). */
  timeoutMs?: number;
}

/** Keeps a MynahError; wraps anything else (TypeError, RangeError, ORT's errors) in one with `code`. */
export function typed(e: unknown, code: string, what: string): MynahError {
  if (e instanceof MynahError) return e;
  const msg = String((e as Error)?.message ?? e).slice(0, 300);
  return new MynahError(code, `${what} (${msg}). Try again; if it keeps happening, reload the page or load the pack again.`);
}

/** An in-memory pack: its shape (dims, sample rate, files map) and manifest, before any session. */
function checkPack(pack: LoadedPack): LoadedPack {
  checkPackShape(pack);
  validateManifest(pack.manifest);
  for (const f of pack.manifest.files) {
    const bytes = pack.files.get(f.name);
    if (bytes === undefined) {
      if (!pack.open) throw new MynahError('PACK_CORRUPT', `Pack "${pack.manifest.id}" lists ${f.name} but does not hold it. Re-generate or re-download the pack.`);
      continue;
    }
    if (!(bytes instanceof Uint8Array) || bytes.length !== f.bytes) {
      throw new MynahError('PACK_CORRUPT', `${f.name} of pack "${pack.manifest.id}" is not the ${f.bytes} bytes its manifest lists. Re-generate or re-download the pack.`);
    }
  }
  return pack;
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
    checkEngineOptions(options);
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
  async loadPack(source: string | LoadedPack | (() => Promise<LoadedPack>), onProgress?: (p: FetchProgress) => void, opts: LoadOptions = {}): Promise<PackSummary> {
    const started = performance.now();
    if (typeof source === 'string') checkPackUrl(source);
    else if (typeof source !== 'function') checkPack(source);
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new MynahError('OPTIONS_INVALID', 'onProgress must be a function. Pass a callback or nothing.');
    // One load at a time; cancelLoad() (or a new load) aborts the running one.
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    const signal = controller.signal;
    // A URL's files are fetched one at a time as their sessions are made, so the download is never
    // held whole next to the sessions. The first load's signal governs only that load; a reload
    // (device loss) gets no signal.
    const url = source;
    const load =
      typeof url === 'string'
        ? (s?: AbortSignal) => fetchPack(url, { onProgress, lazy: true, signal: s, timeoutMs: opts.timeoutMs })
        : typeof url === 'function'
          ? async () => checkPack(await url())
          : async () => url;
    try {
      const pack = await load(signal);
      signal.throwIfAborted();
      // A loader can be called again, so the bytes need not outlive their sessions; a pack object
      // handed in stays the caller's.
      try {
        await this.createModels(pack, typeof source !== 'object');
        signal.throwIfAborted();
      } catch (e) {
        // The old pack's sessions are gone (two packs at once could exceed memory), so a pack that
        // fails half-way (a file that won't download, a bad graph) brings the previous one back.
        if (this.packSource) await this.createModels(await this.packSource()).catch(() => undefined);
        throw e;
      }
      this.packSource = () => load();
      return { manifest: pack.manifest, bytes: pack.manifest.files.reduce((a, f) => a + f.bytes, 0), loadMs: performance.now() - started, bert: this.loaded().bertInfo };
    } catch (e) {
      if (signal.aborted) throw new MynahError('CANCELLED', 'Loading the model pack was cancelled. Load it again when you are ready.');
      throw typed(e, 'PACK_CORRUPT', 'The model pack could not be loaded');
    } finally {
      if (this.loading === controller) this.loading = undefined;
    }
  }

  private loading?: AbortController;

  /** Stops a running loadPack (its download included); false when none is running. */
  cancelLoad(): boolean {
    if (!this.loading) return false;
    this.loading.abort();
    return true;
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
        try {
          await this.watchDevice();
          return await Promise.race([work(signal, produced), this.lost]);
        } catch (e) {
          if (signal.aborted || this.info?.backend !== 'webgpu' || !isDeviceFailure(e, this.deviceLost)) throw e;
          await this.fallBackToWasm(e);
          if (producedOutput) throw new MynahError('WEBGPU_LOST', 'The GPU stopped responding mid-way; Mynah switched to WASM (CPU). Start again to hear the whole text.');
          return await work(signal, produced);
        }
      } catch (e) {
        // Nothing untyped leaves the engine: a runtime or ORT failure becomes ENGINE_FAILED.
        throw typed(e, 'ENGINE_FAILED', 'The engine failed on this request');
      }
    });
  }

  /** A request refused at the boundary: a job that has already failed (no work was queued). */
  private refused<T>(e: unknown): { id: JobId; result: Promise<T> } {
    return { id: 0, result: Promise.reject(typed(e, 'OPTIONS_INVALID', 'The request is not valid')) };
  }

  /** Clones a voice from reference audio and saves it in the voice library. */
  cloneVoice(req: CloneRequest): { id: JobId; result: Promise<CloneResult> } {
    try {
      checkCloneRequest(req);
    } catch (e) {
      return this.refused(e);
    }
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
    try {
      checkVoiceId(voiceId);
      checkReferenceList(audio);
    } catch (e) {
      return this.refused(e);
    }
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
  synthesize(
    text: string,
    voiceId: string,
    options: SynthesisOptions & { passphrase?: string },
    emit: ChunkSink,
    onProgress?: (p: SynthesisProgress) => void,
  ): { id: JobId; result: Promise<SynthesisReport> } {
    let checked: ReturnType<typeof checkSynthesisOptions>;
    try {
      checkText(text);
      checkVoiceId(voiceId);
      checked = checkSynthesisOptions(options);
      if (typeof emit !== 'function') throw new MynahError('OPTIONS_INVALID', 'synthesize needs a function that receives the audio chunks. Pass one.');
    } catch (e) {
      return this.refused(e);
    }
    const { passphrase, ...synthOptions } = checked;
    return this.job(async (signal, produced) => {
      assertAllowed(text, this.filter());
      let voice = await getVoice(voiceId, this.store());
      if (isLocked(voice)) {
        if (!passphrase) throw new MynahError('VOICE_LOCKED', `The voice "${voice.name}" is locked. Enter its passphrase to use it.`);
        voice = await unlockVoice(voice, passphrase);
      }
      const pronunciations = await currentPronunciations();
      return synthesize(this.loaded(), voice, text, synthOptions, (c) => (produced(), emit(c)), { signal, dicBase: this.options.dicBase, watermarkKey: this.options.watermarkKey, onProgress, pronunciations });
    });
  }

  /**
   * The phones synthesis would use for `text` (the personal pronunciation list applied), per language
   * segment and fragment; needs no model pack.
   */
  async showPhones(text: string, lang: LangMode = 'auto', version: TextModelVersion = 'v2'): Promise<ShownPhones> {
    checkText(text);
    if (!['auto', 'zh', 'en', 'ja'].includes(lang)) throw new MynahError('OPTIONS_INVALID', `Unknown language "${String(lang)}": use auto, zh, en or ja.`);
    const pronunciations = await currentPronunciations();
    const warnings: string[] = [];
    const segments: ShownPhones['segments'] = [];
    for (const f of splitText(text, 'cut5', 510, lang).slice(0, 200)) {
      const r = await textToPhones(f, lang, version, { ...(this.options.dicBase ? { ja: { dicPath: this.options.dicBase } } : {}), pronunciations });
      warnings.push(...r.warnings);
      for (const seg of r.segments) segments.push({ lang: seg.lang, text: seg.text, normText: seg.normText, phones: seg.phones });
    }
    return { segments, warnings, pronunciations: pronunciations.size };
  }

  private filterConfig?: Readonly<ContentFilterConfig>;
  private filter(): Readonly<ContentFilterConfig> {
    return (this.filterConfig ??= contentFilterConfig(this.options.contentFilter ?? {}));
  }

  cancel(id: JobId): boolean {
    if (!Number.isSafeInteger(id)) return false;
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

/** What showPhones returns: phones per language segment, as synthesis will use them. */
export interface ShownPhones {
  segments: Array<{ lang: string; text: string; normText: string; phones: string[] }>;
  warnings: string[];
  /** How many entries of the personal pronunciation list were in force. */
  pronunciations: number;
}
