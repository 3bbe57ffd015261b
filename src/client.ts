// Main-thread API. Owns one worker; every model call goes through it.
import * as Comlink from 'comlink';
import type { BackendInfo, BackendRequest } from './engine/backend';
import type { PlainTensor } from './engine/tensors';
import type { WorkerApi } from './worker';
import { installErrorTransfer } from './comlink-errors';

installErrorTransfer();

export type { BackendInfo, BackendRequest, PlainTensor };

export interface MynahOptions {
  backend?: BackendRequest;
  /** Where onnxruntime-web's files are served; defaults to the app's own `ort/` folder. */
  ortBase?: string;
}

function defaultOrtBase(): string {
  return new URL(`${import.meta.env.BASE_URL}ort/`, document.baseURI).href;
}

export class Mynah {
  private constructor(
    private readonly worker: Worker,
    private readonly api: Comlink.Remote<WorkerApi>,
    private info: BackendInfo,
  ) {}

  static async create(options: MynahOptions = {}): Promise<Mynah> {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'mynah-engine' });
    const api = Comlink.wrap<WorkerApi>(worker);
    try {
      const info = await api.init({ backend: options.backend ?? 'auto', ortBase: options.ortBase ?? defaultOrtBase() });
      return new Mynah(worker, api, info);
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  backendInfo(): BackendInfo {
    return this.info;
  }

  /** Re-reads backend info from the worker (it can change after a device loss). */
  async refreshBackendInfo(): Promise<BackendInfo> {
    this.info = await this.api.backendInfo();
    return this.info;
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
