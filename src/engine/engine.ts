// The engine lives inside the worker (or a Node process in tests) and owns every
// onnxruntime-web session. The worker exposes it through comlink; nothing else touches ORT.
import type * as Ort from 'onnxruntime-web';
import { MynahError } from '../errors';
import { chooseBackend, type BackendInfo, type BackendRequest, type OrtModule } from './backend';
import { buildProbeGraph, probeFeeds } from './probe';
import { toOrt, toPlain, type PlainTensor } from './tensors';

export interface EngineOptions {
  backend?: BackendRequest;
}

export class Engine {
  private info?: BackendInfo;

  constructor(
    private readonly ort: OrtModule,
    private readonly scope: typeof globalThis = globalThis,
  ) {}

  async init(options: EngineOptions = {}): Promise<BackendInfo> {
    this.info = await chooseBackend(this.ort, options.backend ?? 'auto', this.scope);
    return this.info;
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
