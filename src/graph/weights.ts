// Where graph weights come from. A network function asks for each parameter by its upstream name
// and shape; the source answers from a checkpoint (src/checkpoint) or with seeded random values
// (generated packs). Random values depend only on (seed, name), never on request order, so two
// graphs that share a parameter name (e.g. T2S embed and decoder) get identical weights.

/** How a freshly initialised parameter should look (mirrors PyTorch's default inits loosely). */
export type Init =
  | { kind: 'normal'; std: number; mean?: number }
  | { kind: 'uniform'; bound: number }
  | { kind: 'const'; value: number };

export const ones: Init = { kind: 'const', value: 1 };
export const zeros: Init = { kind: 'const', value: 0 };
/** PyTorch's Linear/Conv default scale: uniform(±1/sqrt(fan_in)). */
export const fanIn = (n: number): Init => ({ kind: 'uniform', bound: 1 / Math.sqrt(n) });

export interface WeightSource {
  /** Returns the parameter `name` as float32 with exactly `dims`, or throws a clear error. */
  get(name: string, dims: number[], init: Init): Float32Array;
}

/** FNV-1a 32-bit hash: a stable per-name seed. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast, good-enough PRNG for test weights. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fill(n: number, init: Init, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  if (init.kind === 'const') return out.fill(init.value);
  if (init.kind === 'uniform') {
    for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * init.bound;
    return out;
  }
  const mean = init.mean ?? 0;
  for (let i = 0; i < n; i += 2) {
    // Box-Muller, two values per pair of uniforms.
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * init.std;
    out[i] = mean + r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = mean + r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Seeded random weights: same (seed, name, dims) -> same values, in any order. */
export class RandomWeights implements WeightSource {
  readonly requested = new Map<string, number[]>();
  constructor(readonly seed = 1) {}
  get(name: string, dims: number[], init: Init): Float32Array {
    const prev = this.requested.get(name);
    if (prev && prev.join(',') !== dims.join(',')) {
      throw new Error(`parameter ${name} requested as [${dims}] and earlier as [${prev}]`);
    }
    this.requested.set(name, dims);
    const n = dims.reduce((a, b) => a * b, 1);
    return fill(n, init, mulberry32(hash32(name) ^ Math.imul(this.seed, 0x9e3779b1)));
  }
}

/** Zero-filled weights of the right shapes: for counting parameters of real-size graphs cheaply. */
export class ZeroWeights implements WeightSource {
  get(_name: string, dims: number[]): Float32Array {
    return new Float32Array(dims.reduce((a, b) => a * b, 1));
  }
}
