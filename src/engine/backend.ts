// Execution-provider choice. Runs inside the worker (or in Node for tests): the engine owns every
// onnxruntime-web session, and this module decides which backend they use and records why.
import type * as Ort from 'onnxruntime-web';
import { MynahError } from '../errors';
import { choosePrecision, type PrecisionPlan, type PrecisionRequest } from './precision';
import { buildProbeGraph, probeFeeds } from './probe';

export type BackendRequest = 'auto' | 'webgpu' | 'wasm';
export type OrtModule = typeof Ort;

export interface BackendInfo {
  /** The execution provider every session uses. */
  backend: 'webgpu' | 'wasm';
  /** WASM threads (1 when the page is not cross-origin isolated). */
  threads: number;
  crossOriginIsolated: boolean;
  /** WebGPU adapter description when one was found. */
  adapter?: string;
  shaderF16: boolean;
  /** Why this backend: forced, or what auto-selection saw. */
  reason: string;
  /** Largest |webgpu - wasm| on the probe graph, when both ran. */
  probeMaxDiff?: number;
  /** The precision of the heavy graphs on this backend, and why. */
  precision: PrecisionPlan;
}

/** WebGPU results further than this from WASM on the probe graph mean the adapter is not trusted. */
const PROBE_TOLERANCE = 1e-3;

export async function configureWasm(ort: OrtModule, scope: { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } }): Promise<{ threads: number; isolated: boolean }> {
  const isolated = scope.crossOriginIsolated === true;
  const cores = scope.navigator?.hardwareConcurrency ?? 1;
  // Threads need SharedArrayBuffer, which browsers only grant to cross-origin isolated pages.
  const threads = isolated ? Math.max(1, Math.min(4, cores)) : 1;
  ort.env.wasm.numThreads = threads;
  return { threads, isolated };
}

interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<{ features: Set<string>; info?: { vendor?: string; architecture?: string; description?: string; device?: string } } | null>;
}

async function findAdapter(): Promise<{ name: string; f16: boolean } | undefined> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return undefined;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return undefined;
  const i = adapter.info ?? {};
  const name = [i.vendor, i.architecture, i.description || i.device].filter(Boolean).join(' ') || 'unknown adapter';
  return { name, f16: adapter.features.has('shader-f16') };
}

async function runProbe(ort: OrtModule, ep: 'webgpu' | 'wasm'): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(buildProbeGraph().toBytes(), { executionProviders: [ep] });
  try {
    const out = await session.run(probeFeeds(ort));
    return (out.y as Ort.Tensor).data as Float32Array;
  } finally {
    await session.release();
  }
}

/**
 * Picks the backend. `auto`: WebGPU if an adapter exists and a probe graph on it matches WASM,
 * else WASM. A forced `webgpu` without an adapter is an error the caller must see.
 */
export async function chooseBackend(ort: OrtModule, request: BackendRequest, scope: typeof globalThis = globalThis, precision: PrecisionRequest = 'auto'): Promise<BackendInfo> {
  const info = await pickBackend(ort, request, scope);
  return { ...info, precision: choosePrecision(info.backend, info.shaderF16, precision) };
}

async function pickBackend(ort: OrtModule, request: BackendRequest, scope: typeof globalThis): Promise<Omit<BackendInfo, 'precision'>> {
  const { threads, isolated } = await configureWasm(ort, scope);
  const base = { threads, crossOriginIsolated: isolated, shaderF16: false };
  if (request === 'wasm') return { ...base, backend: 'wasm', reason: 'forced by the caller' };
  const adapter = await findAdapter();
  if (!adapter) {
    if (request === 'webgpu') {
      throw new MynahError('WEBGPU_UNAVAILABLE', 'WebGPU was requested but this browser exposes no GPU adapter. Use the WASM backend or enable WebGPU.');
    }
    return { ...base, backend: 'wasm', reason: 'no WebGPU adapter in this browser' };
  }
  const withAdapter = { ...base, adapter: adapter.name, shaderF16: adapter.f16 };
  let gpu: Float32Array;
  try {
    gpu = await runProbe(ort, 'webgpu');
  } catch (e) {
    if (request === 'webgpu') throw new MynahError('WEBGPU_FAILED', `WebGPU could not run the probe graph (${(e as Error).message}). Use the WASM backend.`);
    return { ...withAdapter, backend: 'wasm', reason: `WebGPU probe failed: ${(e as Error).message}` };
  }
  const cpu = await runProbe(ort, 'wasm');
  let diff = 0;
  for (let i = 0; i < cpu.length; i++) diff = Math.max(diff, Math.abs(cpu[i] - gpu[i]));
  if (!(diff <= PROBE_TOLERANCE)) {
    const reason = `WebGPU probe differs from WASM by ${diff.toExponential(2)}`;
    if (request === 'webgpu') return { ...withAdapter, backend: 'webgpu', reason: `forced by the caller (warning: ${reason})`, probeMaxDiff: diff };
    return { ...withAdapter, backend: 'wasm', reason, probeMaxDiff: diff };
  }
  return {
    ...withAdapter,
    backend: 'webgpu',
    reason: request === 'webgpu' ? 'forced by the caller; probe matches WASM' : 'WebGPU adapter found and its probe matches WASM',
    probeMaxDiff: diff,
  };
}
