// Which numeric precision the heavy graphs run at, per backend, and the transform that makes it.
// Packs hold fp32 graphs; variants are made at load time from the same bytes (src/graph/quantize.ts,
// src/graph/fp16.ts), so generated, converted and fetched packs all get them.
import { convertToFp16 } from '../graph/fp16';
import { quantizeInt8 } from '../graph/quantize';
import type { GraphRole } from '../pack/manifest';

export type Precision = 'fp32' | 'int8' | 'fp16';
export type PrecisionRequest = 'auto' | Precision;

export interface PrecisionPlan {
  /** The T2S decoder (the per-token graph). */
  t2s: Precision;
  /**
   * The T2S decoder's prefill (its first call, on every prompt and text row), when it runs at
   * another precision than the decode steps: a second session of the same graph.
   */
  t2sPrefill?: Precision;
  /** The SoVITS decoder (the per-chunk graph). Every other graph runs fp32. */
  sovits: Precision;
  /** Why, in one sentence. */
  reason: string;
}

/**
 * WASM: fp32 decode steps by default, so the numbers are upstream's, with the prefill in int8: the
 * T2S decoder's matmuls as DynamicQuantizeMatMul make the prefill (which decides when the first
 * audio plays) ~2x faster; the decode steps then read its K/V rows, at a logit difference far
 * below the sampler's randomness (BENCHMARKS.md, "fp32 vs int8"). 'fp32' is fp32 throughout.
 * 'int8' is opt-in: the whole T2S decoder in int8 (a quarter of its memory), decode steps no faster. The SoVITS decoder stays fp32 even then: int8
 * convolutions (ConvInteger) bring nothing on WASM. Figures: BENCHMARKS.md.
 * WebGPU: fp16 where the adapter has shader-f16, else fp32. int8 is WASM-only (ORT's WebGPU
 * backend has no DynamicQuantizeMatMul), fp16 WebGPU-only.
 */
export function choosePrecision(backend: 'webgpu' | 'wasm', shaderF16: boolean, request: PrecisionRequest = 'auto'): PrecisionPlan {
  const fp32 = (reason: string): PrecisionPlan => ({ t2s: 'fp32', sovits: 'fp32', reason });
  if (backend === 'webgpu') {
    if (request === 'int8') return fp32('int8 was requested, but it is for WASM only; WebGPU runs fp32');
    if (request === 'fp32') return fp32('fp32, as requested');
    if (!shaderF16) return fp32(`${request === 'fp16' ? 'fp16 was requested, but ' : ''}this GPU adapter has no shader-f16, so WebGPU runs fp32`);
    return { t2s: 'fp16', sovits: 'fp16', reason: request === 'fp16' ? 'fp16, as requested (the adapter has shader-f16)' : 'the GPU adapter has shader-f16: fp16 graphs' };
  }
  if (request === 'fp16') return fp32('fp16 was requested, but it is for WebGPU only; WASM runs fp32');
  if (request === 'int8') return { t2s: 'int8', sovits: 'fp32', reason: 'int8, as requested: T2S decoder in int8 (faster prefill, a quarter of the memory), SoVITS in fp32 (int8 convolutions bring nothing on WASM)' };
  if (request === 'fp32') return fp32('fp32, as requested');
  return {
    t2s: 'fp32',
    t2sPrefill: 'int8',
    sovits: 'fp32',
    reason: "WASM: fp32 with an int8 T2S prefill (the prefill decides when the first audio plays and is ~2x faster in int8; every decode step, and so every later token, is fp32 as upstream). 'fp32' makes the prefill fp32 too",
  };
}

/** The graph bytes to create a session from: `bytes` itself, or its variant for `plan`. */
export function graphForPlan(role: GraphRole, bytes: Uint8Array, plan: PrecisionPlan): Uint8Array {
  return variant(bytes, precisionOf(role, plan));
}

/**
 * The precision a role runs at. v3/v4's speaking graphs (encoder, CFM step, vocoder) take the
 * SoVITS decoder's; the CFM step, whose cost is matrix products like the T2S prefill's, also takes
 * the opt-in int8 of WASM.
 */
export function precisionOf(role: GraphRole, plan: PrecisionPlan): Precision {
  if (role === 't2s-decoder') return plan.t2s;
  if (role === 'sovits-decoder' || role === 'sovits-encoder' || role === 'vocoder') return plan.sovits;
  if (role === 'cfm-step') return plan.t2s === 'int8' ? 'int8' : plan.sovits;
  return 'fp32';
}

/** The graph bytes at precision `p` (`bytes` itself for fp32). */
export function graphForPrecision(bytes: Uint8Array, p: Precision): Uint8Array {
  return variant(bytes, p);
}

function variant(bytes: Uint8Array, p: Precision): Uint8Array {
  if (p === 'int8') return quantizeInt8(bytes).bytes;
  if (p === 'fp16') return convertToFp16(bytes).bytes;
  return bytes;
}
