// The one comlink boundary: the worker hosts the Engine and exposes its API, nothing else.
import * as Comlink from 'comlink';
import type { OrtModule } from './engine/backend';
import { Engine, type EngineOptions } from './engine/engine';
import { installErrorTransfer } from './comlink-errors';

installErrorTransfer();

export interface WorkerInit extends EngineOptions {
  /** Absolute URL of the folder holding onnxruntime-web's ort.webgpu.min.mjs and .wasm files. */
  ortBase: string;
}

let engine: Engine | undefined;

const api = {
  async init(options: WorkerInit) {
    // ORT is served by the app itself (no CDN) and loaded at run time from one folder, so its
    // .mjs/.wasm pair stays together and its thread workers load ORT, not this worker.
    ortBase = options.ortBase;
    const ort = (await import(/* @vite-ignore */ new URL('ort.webgpu.min.mjs', options.ortBase).href)) as OrtModule;
    ort.env.wasm.wasmPaths = options.ortBase;
    engine = new Engine(ort);
    return engine.init(options);
  },
  backendInfo: () => ready().backendInfo(),
  runModel: (...args: Parameters<Engine['runModel']>) => ready().runModel(...args),
  runProbe: () => ready().runProbe(),
};

let ortBase = '';
function ready(): Engine {
  if (!engine) throw new Error(`engine not initialised (ORT base: ${ortBase || 'none'})`);
  return engine;
}

export type WorkerApi = typeof api;
Comlink.expose(api);
