// The one comlink boundary: the worker hosts the Engine and exposes its API, nothing else.
import * as Comlink from 'comlink';
import type { PcmAudio } from './audio/pcm';
import type { OrtModule } from './engine/backend';
import { Engine, type EngineOptions, type PackSummary } from './engine/engine';
import type { AudioChunk, SynthesisOptions, SynthesisProgress, SynthesisReport } from './engine/synthesize';
import type { LangMode } from './text/frontend';
import type { VoiceConsent } from './store/voices';
import type { FetchProgress } from './pack/fetch';
import type { ConvertFiles, ConvertProgress, ConvertReport } from './pack/convert';
import { deletePack, listPacks, loadPack as loadStoredPack, savePack } from './store/packs';
import { MynahError } from './errors';
import { installErrorTransfer } from './comlink-errors';
import { loadEnglishDictionary } from './text/g2p/en';
import { checkConvertFiles, checkEngineOptions } from './validate';

installErrorTransfer();

export interface WorkerInit extends EngineOptions {
  /** Absolute URL of the folder holding onnxruntime-web's ort.webgpu.min.mjs and .wasm files. */
  ortBase: string;
}

export interface CloneArgs {
  audio: PcmAudio;
  promptText: string;
  promptLang: LangMode;
  name?: string;
  /** The speaker's consent record, saved on the voice. */
  consent?: VoiceConsent;
  /** More recordings of the same speaker; they shape only the speaker embedding. */
  extraAudio?: PcmAudio[];
}

/** Where a synthesis job's output goes (a comlink proxy living on the main thread). */
export interface SpeechSink {
  chunk(c: AudioChunk): void | Promise<void>;
  /** v3/v4: after each sampling step of the flow-matching decoder. */
  progress?(p: SynthesisProgress): void;
  done(r: SynthesisReport): void;
  fail(e: { code?: string; message: string }): void;
}

let engine: Engine | undefined;

async function storedPack(id: string) {
  const pack = await loadStoredPack(id);
  if (!pack) throw new MynahError('PACK_NOT_FOUND', `No converted pack "${id}" is stored in this browser. Convert the checkpoint files again.`);
  return pack;
}
let ortBase = '';

function ready(): Engine {
  if (!engine) throw new MynahError('NOT_READY', `The engine is not initialised yet (ORT base: ${ortBase || 'none'}). Call Mynah.create() and wait for it.`);
  return engine;
}

/**
 * Loads a pack and, alongside, the English dictionary (a 4.6 MB code chunk otherwise imported on
 * first use): everything is fetched while the pack loads, so cloning and speaking fetch nothing and
 * work offline once the page has loaded. (The Japanese dictionary, 5.7 MB, still comes on first use.)
 * A failed dictionary download does not fail the pack: it is tried again when English is needed.
 */
async function withFrontend<T>(loading: Promise<T>): Promise<T> {
  const [summary] = await Promise.all([loading, loadEnglishDictionary().catch(() => undefined)]);
  return summary;
}

const api = {
  async init(options: WorkerInit) {
    // ORT is served by the app itself (no CDN) and loaded at run time from one folder, so its
    // .mjs/.wasm pair stays together and its thread workers load ORT, not this worker.
    checkEngineOptions(options);
    ortBase = options.ortBase;
    const ort = (await import(/* @vite-ignore */ new URL('ort.webgpu.min.mjs', options.ortBase).href)) as OrtModule;
    ort.env.wasm.wasmPaths = options.ortBase;
    engine = new Engine(ort);
    return engine.init(options);
  },
  backendInfo: () => ready().backendInfo(),
  runModel: (...args: Parameters<Engine['runModel']>) => ready().runModel(...args),
  runProbe: () => ready().runProbe(),
  loadPack: (url: string, onProgress?: (p: FetchProgress) => void) => withFrontend(ready().loadPack(url, onProgress)),
  /** Stops a running pack load (its download included). */
  cancelLoad: () => ready().cancelLoad(),
  /**
   * Converts upstream checkpoint files (GPT .ckpt, SoVITS .pth, HuBERT, optional RoBERTa) into a
   * pack here in the worker, stores it (so a reload needs no re-conversion) and loads it.
   */
  async convertPack(files: ConvertFiles, opts: { id?: string; name?: string } = {}, onProgress?: (p: ConvertProgress) => void): Promise<{ summary: PackSummary; report: ConvertReport }> {
    // The converter (pickle/zip readers, every graph builder) loads only when someone converts.
    checkConvertFiles(files);
    const { convertToPack } = await import('./pack/convert');
    const { report, ...pack } = await convertToPack(files, { ...opts, onProgress });
    await savePack(pack);
    const id = pack.manifest.id;
    pack.files.clear(); // sessions are created from the stored copy; don't hold the bytes twice
    return { summary: await withFrontend(ready().loadPack(() => storedPack(id))), report };
  },
  /** Loads a pack converted earlier, from this origin's storage. */
  loadStoredPack: (id: string) => withFrontend(ready().loadPack(() => storedPack(id))),
  listStoredPacks: () => listPacks(),
  deleteStoredPack: (id: string) => deletePack(id),
  async cloneVoice(args: CloneArgs) {
    return ready().cloneVoice(args).result;
  },
  async addVoiceReferences(voiceId: string, audio: PcmAudio[]) {
    return ready().addVoiceReferences(voiceId, audio).result;
  },
  /** Starts a job and returns its id at once; output and the outcome go to `sink`. */
  synthesize(text: string, voiceId: string, options: SynthesisOptions & { passphrase?: string }, sink: SpeechSink): number {
    const job = ready().synthesize(
      text,
      voiceId,
      options,
      (c) => sink.chunk(Comlink.transfer(c, [c.pcm.buffer as ArrayBuffer])),
      (p) => void sink.progress?.(p),
    );
    job.result.then(
      (r) => sink.done(r),
      (e: Error & { code?: string }) => sink.fail({ code: e.code, message: e.message }),
    );
    return job.id;
  },
  cancel: (jobId: number) => ready().cancel(jobId),
  /** The phones synthesis would use for a text (the personal pronunciation list applied). */
  showPhones: (text: string, lang?: LangMode) => ready().showPhones(text, lang),
  /** Test hook: simulates a lost GPU (driver reset). */
  loseDevice: () => ready().loseDevice(),
};

export type WorkerApi = typeof api;
Comlink.expose(api);
