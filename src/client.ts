// Main-thread API. Owns one worker; every model call goes through it.
import * as Comlink from 'comlink';
import { decodeAudioFile } from './audio/decode';
import type { PcmAudio } from './audio/pcm';
import type { BackendInfo, BackendRequest } from './engine/backend';
import type { PrecisionRequest } from './engine/precision';
import type { CloneResult, PackSummary, ShownPhones } from './engine/engine';
import type { AudioChunk, SynthesisOptions, SynthesisProgress, SynthesisReport } from './engine/synthesize';
import type { PlainTensor } from './engine/tensors';
import { MynahError } from './errors';
import type { FetchProgress } from './pack/fetch';
import type { ConvertFiles, ConvertProgress, ConvertReport } from './pack/convert';
import type { PackManifest } from './pack/manifest';
import type { LangMode } from './text/frontend';
import { deleteVoice, exportVoice, getVoice, importVoice, listVoices, pronunciationsInExport, renameVoice, type Voice, type VoiceConsent } from './store/voices';
import { deletePronunciation, listPronunciations, mergePronunciations, savePronunciation } from './store/pronunciations';
import type { PronLang, PronunciationEntry } from './text/lexicon';
import type { SpeechSink, WorkerApi } from './worker';
import { installErrorTransfer } from './comlink-errors';
import { DEFAULT_PACK_PATH } from './pack/default';
import { detectWatermark, type CheckOptions, type WatermarkCheck } from './safety/check';
import type { ContentFilterConfig } from './safety/filter';

installErrorTransfer();

export type { WatermarkCheck, CheckOptions, Voice, VoiceConsent, AudioChunk, BackendInfo, BackendRequest, CloneResult, PackSummary, PlainTensor, SynthesisOptions, SynthesisProgress, SynthesisReport };

/**
 * One synthesis job: iterate it for audio chunks as they are made; `report` settles when the job
 * ends; `cancel()` stops it within one decode step.
 */
const toPcm = async (a: Blob | ArrayBuffer | PcmAudio): Promise<PcmAudio> => ('channels' in a ? a : decodeAudioFile(a));

export type { ShownPhones, PronunciationEntry, PronLang };

export class SpeechStream implements AsyncIterable<AudioChunk> {
  private readonly queue: AudioChunk[] = [];
  private wake?: () => void;
  private ended = false;
  private failure?: Error;
  readonly report: Promise<SynthesisReport>;
  private settle!: { ok: (r: SynthesisReport) => void; fail: (e: Error) => void };
  /** The worker's job id, once the job is queued. */
  readonly id: Promise<number>;
  private setId!: (id: number) => void;

  constructor(private readonly onCancel: (id: number) => Promise<boolean>) {
    this.id = new Promise((ok) => (this.setId = ok));
    this.report = new Promise((ok, fail) => (this.settle = { ok, fail }));
    this.report.catch(() => {}); // iterate or await report: either way the error surfaces once
  }

  /** v3/v4: called after each sampling step of the flow-matching decoder (long jobs). */
  onprogress?: (p: SynthesisProgress) => void;

  /** @internal the worker's side of the job */
  sink(): SpeechSink {
    return {
      chunk: (c) => {
        this.queue.push(c);
        this.wake?.();
      },
      progress: (p) => this.onprogress?.(p),
      done: (r) => {
        this.ended = true;
        this.settle.ok(r);
        this.wake?.();
      },
      fail: (e) => {
        this.ended = true;
        this.failure = e.code ? new MynahError(e.code, e.message) : new Error(e.message);
        this.settle.fail(this.failure);
        this.wake?.();
      },
    };
  }

  /** @internal */
  started(id: number): void {
    this.setId(id);
  }

  async cancel(): Promise<boolean> {
    return this.onCancel(await this.id);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((ok) => (this.wake = ok));
      this.wake = undefined;
    }
  }
}

export interface MynahOptions {
  backend?: BackendRequest;
  /** 'auto' (fp16 on WebGPU with shader-f16, else fp32), or 'fp32' / 'int8' (WASM opt-in) / 'fp16'. */
  precision?: PrecisionRequest;
  /** Where onnxruntime-web's files are served; defaults to the app's own `ort/` folder. */
  ortBase?: string;
  /** Where the Japanese dictionary (naist-jdic.bin.gz) is served; defaults to the app's `ja/` folder. */
  dicBase?: string;
  /** The operator's watermark key for every output (default: Mynah's public key); detectWatermark needs the same. */
  watermarkKey?: string;
  /**
   * The site operator's content filter: extra deny-list entries and rules (RegExp tests: they cross
   * to the worker), `useDefaultList`, or `enabled: false` to turn filtering off. Set in the site's
   * code, never from end-user input.
   */
  contentFilter?: Partial<ContentFilterConfig>;
}

/** Rules travel to the worker by structured clone, which carries RegExps but not functions. */
function checkFilterOption(filter: Partial<ContentFilterConfig> | undefined): void {
  for (const rule of filter?.rules ?? []) {
    if (!(rule.test instanceof RegExp)) {
      throw new MynahError('OPTIONS_INVALID', `Content rule "${rule.id}" tests with a function; rules passed to Mynah.create must use a RegExp (functions cannot reach the engine's worker).`);
    }
  }
}

function appUrl(path: string): string {
  return new URL(`${import.meta.env.BASE_URL}${path}`, document.baseURI).href;
}
const defaultOrtBase = () => appUrl('ort/');
const defaultPackUrl = () => appUrl(DEFAULT_PACK_PATH);

export class Mynah {
  private constructor(
    private readonly worker: Worker,
    private readonly api: Comlink.Remote<WorkerApi>,
    private info: BackendInfo,
  ) {}

  static async create(options: MynahOptions = {}): Promise<Mynah> {
    checkFilterOption(options.contentFilter);
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'mynah-engine' });
    const api = Comlink.wrap<WorkerApi>(worker);
    try {
      const info = await api.init({
        backend: options.backend ?? 'auto',
        ...(options.precision ? { precision: options.precision } : {}),
        ortBase: options.ortBase ?? defaultOrtBase(),
        dicBase: options.dicBase ?? appUrl('ja/'),
        ...(options.watermarkKey ? { watermarkKey: options.watermarkKey } : {}),
        ...(options.contentFilter ? { contentFilter: options.contentFilter } : {}),
      });
      return new Mynah(worker, api, info);
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  backendInfo(): BackendInfo {
    return this.info;
  }

  /**
   * Was this audio made by Mynah? Looks for the watermark every synthesis carries, here on this
   * thread (no engine needed; about 7 ms per second of audio, the first 2 minutes by default).
   * Pass `{ key }` when the engine was created with its own watermarkKey.
   */
  static detectWatermark(audio: Blob | ArrayBuffer | Uint8Array | PcmAudio, options: CheckOptions = {}): Promise<WatermarkCheck> {
    return detectWatermark(audio, options);
  }

  /** Re-reads backend info from the worker (it can change after a device loss). */
  async refreshBackendInfo(): Promise<BackendInfo> {
    this.info = await this.api.backendInfo();
    return this.info;
  }

  /** Loads a model pack by the URL of its pack.json; defaults to the pack shipped with the app. */
  loadPack(url = defaultPackUrl(), onProgress?: (p: FetchProgress) => void): Promise<PackSummary> {
    return this.api.loadPack(url, onProgress && Comlink.proxy(onProgress));
  }

  /**
   * Converts dropped upstream files into a pack inside the worker, stores it in this browser and
   * loads it. Files are passed as they are (no copy of their contents on this thread).
   */
  convertPack(files: ConvertFiles, opts: { id?: string; name?: string } = {}, onProgress?: (p: ConvertProgress) => void): Promise<{ summary: PackSummary; report: ConvertReport }> {
    return this.api.convertPack(files, opts, onProgress && Comlink.proxy(onProgress));
  }

  /** Stops a running loadPack (its download included); it then fails with CANCELLED. */
  cancelLoad(): Promise<boolean> {
    return this.api.cancelLoad();
  }

  loadStoredPack(id: string): Promise<PackSummary> {
    return this.api.loadStoredPack(id);
  }

  listStoredPacks(): Promise<PackManifest[]> {
    return this.api.listStoredPacks();
  }

  deleteStoredPack(id: string): Promise<boolean> {
    return this.api.deleteStoredPack(id);
  }

  /**
   * Clones a voice from a recording or an audio file (decoded here, on the main thread, where
   * decodeAudioData exists) and saves it. `promptText` is what the recording says. `consent` (from
   * makeConsent, when the speaker confirmed) is saved on the voice and travels with its exports.
   */
  async cloneVoice(
    audio: Blob | ArrayBuffer | PcmAudio,
    promptText: string,
    promptLang: LangMode = 'auto',
    name?: string,
    options: { consent?: VoiceConsent; extraAudio?: (Blob | ArrayBuffer | PcmAudio)[] } = {},
  ): Promise<CloneResult> {
    const pcm = await toPcm(audio);
    const extraAudio = options.extraAudio?.length ? await Promise.all(options.extraAudio.map(toPcm)) : undefined;
    const buffers = [pcm, ...(extraAudio ?? [])].flatMap((a) => a.channels.map((c) => c.buffer as ArrayBuffer));
    return this.api.cloneVoice(Comlink.transfer({ audio: pcm, promptText, promptLang, name, consent: options.consent, extraAudio }, buffers));
  }

  /**
   * Adds recordings of the same speaker to a saved voice (upstream's auxiliary references, at most
   * 5 recordings per voice): they refine its speaker embedding; transcript and prompt stay.
   */
  async addVoiceReferences(voiceId: string, audio: (Blob | ArrayBuffer | PcmAudio)[]): Promise<CloneResult> {
    const pcms = await Promise.all(audio.map(toPcm));
    return this.api.addVoiceReferences(voiceId, Comlink.transfer(pcms, pcms.flatMap((a) => a.channels.map((c) => c.buffer as ArrayBuffer))));
  }

  /** Speaks `text` in a saved voice. Iterate the result for 32 kHz PCM chunks. */
  synthesize(text: string, voiceId: string, options: SynthesisOptions & { passphrase?: string } = {}): SpeechStream {
    const stream = new SpeechStream((id) => this.api.cancel(id));
    this.api.synthesize(text, voiceId, options, Comlink.proxy(stream.sink())).then(
      (id) => stream.started(id),
      (e: Error & { code?: string }) => stream.sink().fail({ code: e.code, message: e.message }),
    );
    return stream;
  }

  cancel(jobId: number): Promise<boolean> {
    return this.api.cancel(jobId);
  }

  /**
   * The phones Mynah will use for `text`, per language segment, with the personal pronunciation
   * list applied ("show phones"). Needs no model pack.
   */
  showPhones(text: string, lang: LangMode = 'auto'): Promise<ShownPhones> {
    return this.api.showPhones(text, lang);
  }

  /**
   * The personal pronunciation list (IndexedDB, shared with the engine, applied in every synthesis).
   * Entries are validated: zh pinyin with tones, en ARPAbet or "sounds like: ...", ja kana (+ accent).
   */
  readonly pronunciations = {
    list: () => listPronunciations(),
    save: (entry: PronunciationEntry) => savePronunciation(entry),
    delete: (word: string, lang: PronLang) => deletePronunciation(word, lang),
  };

  /**
   * The voice library. Voices live in this origin's IndexedDB, shared by the page and the worker,
   * so library edits need no engine.
   */
  readonly voices = {
    list: () => listVoices(),
    get: (id: string) => getVoice(id),
    rename: (id: string, name: string) => renameVoice(id, name),
    delete: (id: string) => deleteVoice(id),
    /** One JSON file holding everything the voice needs. */
    /** One JSON file holding everything the voice needs, and the personal pronunciation list. */
    export: async (id: string) => exportVoice(await getVoice(id), await listPronunciations()),
    /** Imports a voice file; pronunciations it carries are added to the list (existing words keep theirs). */
    import: async (file: string) => {
      const v = await importVoice(file);
      await mergePronunciations(pronunciationsInExport(file));
      return v;
    },
  };

  /** Test hook: makes the worker's GPU device go away as a driver reset would. */
  loseDevice(): Promise<boolean> {
    return this.api.loseDevice();
  }

  runModel(model: Uint8Array, feeds: Record<string, PlainTensor>): Promise<{ outputs: Record<string, PlainTensor>; locations: Record<string, string> }> {
    return this.api.runModel(Comlink.transfer(model, [model.buffer as ArrayBuffer]), feeds);
  }

  runProbe(): Promise<{ y: PlainTensor; location: string }> {
    return this.api.runProbe();
  }

  dispose(): void {
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
