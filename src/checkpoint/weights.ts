// A WeightSource over a checkpoint's state dict. Graph initializer names are upstream's parameter
// names, so mapping is: strip a wrapper prefix (`model.`, `bert.`), rename old spellings, and fold
// weight norm (upstream stores weight_g / weight_v; graphs take the folded `.weight`). Every
// request is checked against the file's shape; missing and misshapen weights are collected, not
// thrown one at a time, so one error can list everything that does not fit.
import { MynahError } from '../errors';
import type { Init, WeightSource } from '../graph/weights';
import type { LazyTensor } from './tensor';

export interface ShapeMismatch {
  name: string;
  /** Shape the network needs. */
  want: number[];
  /** Shape in the file. */
  got: number[];
}

/** Missing, misshapen or unexpected weights, all listed. */
export class CheckpointKeysError extends MynahError {
  constructor(
    readonly label: string,
    readonly missing: string[],
    readonly mismatched: ShapeMismatch[],
    readonly unexpected: string[],
  ) {
    const list = (items: string[]) => items.slice(0, 6).join(', ') + (items.length > 6 ? `, and ${items.length - 6} more` : '');
    const parts: string[] = [];
    if (missing.length) parts.push(`${missing.length} weight(s) missing (${list(missing)})`);
    if (mismatched.length) parts.push(`${mismatched.length} with another shape (${list(mismatched.map((m) => `${m.name}: [${m.got}] in the file, [${m.want}] needed`))})`);
    if (unexpected.length) parts.push(`${unexpected.length} not belonging to this network (${list(unexpected)})`);
    super('CHECKPOINT_KEYS', `${label} does not fit the network it was given for: ${parts.join('; ')}. Check that the file is in the right slot and is a GPT-SoVITS v1/v2 model.`);
  }
}

export interface CheckpointWeightsOptions {
  /** Who the file is, for messages ("The SoVITS file s2G.pth"). */
  label: string;
  /** Prefix stripped from keys that have it (the Lightning wrapper's `model.`, BERT's `bert.`). */
  stripPrefix?: string;
  /** Renames applied after stripping (e.g. old BERT's LayerNorm.gamma -> LayerNorm.weight). */
  rename?: (name: string) => string;
  /** Keys the networks do not need at inference; never reported as unexpected. */
  ignore?: (name: string) => boolean;
}

/** Folded weight-norm pair: g (magnitude) and v (direction). */
interface NormPair {
  g: string;
  v: string;
}

const NORM_SUFFIXES: [string, string][] = [
  ['.weight_g', '.weight_v'], // torch.nn.utils.weight_norm
  ['.parametrizations.weight.original0', '.parametrizations.weight.original1'], // torch.nn.utils.parametrizations.weight_norm
];

/**
 * weight = g · v / ‖v‖ as torch's weight_norm computes it: the norm runs over every axis except
 * `dim`, the axis along which g is not 1 (0 for convolutions, 2 for HuBERT's positional conv).
 * Accumulated in float64.
 */
export function foldWeightNorm(g: Float32Array, gShape: readonly number[], v: Float32Array, vShape: readonly number[]): Float32Array {
  const out = new Float32Array(v.length);
  let dim = gShape.findIndex((n, i) => n !== 1 && n === vShape[i]);
  if (g.length === 1) dim = -1; // a single magnitude: the norm runs over the whole tensor
  if (dim < 0 && g.length !== 1) throw new Error(`weight norm: g [${gShape}] does not match v [${vShape}]`);
  const size = dim < 0 ? 1 : vShape[dim];
  const inner = dim < 0 ? v.length : vShape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const sq = new Float64Array(size);
  for (let i = 0; i < v.length; i++) sq[Math.floor(i / inner) % size] += v[i] * v[i];
  const scale = new Float64Array(size);
  for (let s = 0; s < size; s++) scale[s] = g[s] / Math.sqrt(sq[s]);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * scale[Math.floor(i / inner) % size];
  return out;
}

export class CheckpointWeights implements WeightSource {
  /** Graph name -> checkpoint key. */
  private readonly byName = new Map<string, string>();
  private readonly norms = new Map<string, NormPair>();
  private readonly usedKeys = new Set<string>();
  readonly missing: string[] = [];
  readonly mismatched: ShapeMismatch[] = [];

  constructor(
    readonly tensors: Map<string, LazyTensor>,
    readonly opts: CheckpointWeightsOptions,
  ) {
    for (const key of tensors.keys()) {
      let name = opts.stripPrefix && key.startsWith(opts.stripPrefix) ? key.slice(opts.stripPrefix.length) : key;
      if (opts.rename) name = opts.rename(name);
      this.byName.set(name, key);
    }
    for (const [name, key] of this.byName) {
      for (const [gSuffix, vSuffix] of NORM_SUFFIXES) {
        if (!name.endsWith(gSuffix)) continue;
        const base = name.slice(0, -gSuffix.length);
        const v = this.byName.get(base + vSuffix);
        if (v) this.norms.set(`${base}.weight`, { g: key, v });
      }
    }
  }

  /** Shape of `name` as a graph would receive it (folded weights have v's shape). */
  shape(name: string): number[] | undefined {
    const key = this.byName.get(name);
    if (key) return [...this.tensors.get(key)!.shape];
    const pair = this.norms.get(name);
    return pair ? [...this.tensors.get(pair.v)!.shape] : undefined;
  }

  has(name: string): boolean {
    return this.shape(name) !== undefined;
  }

  /** Graph-side names available (folded weights by their `.weight` name). */
  names(): string[] {
    const norm = new Set<string>();
    for (const p of this.norms.values()) norm.add(p.g).add(p.v);
    return [...[...this.byName].filter(([, key]) => !norm.has(key)).map(([name]) => name), ...this.norms.keys()];
  }

  get(name: string, dims: number[], _init?: Init): Float32Array {
    const n = dims.reduce((a, b) => a * b, 1);
    const shape = this.shape(name);
    if (!shape) {
      if (!this.missing.includes(name)) this.missing.push(name);
      return new Float32Array(n);
    }
    if (shape.join(',') !== dims.join(',')) {
      if (!this.mismatched.some((m) => m.name === name)) this.mismatched.push({ name, want: [...dims], got: shape });
      return new Float32Array(n);
    }
    const key = this.byName.get(name);
    if (key) {
      this.usedKeys.add(key);
      return this.tensors.get(key)!.readSync();
    }
    const pair = this.norms.get(name)!;
    this.usedKeys.add(pair.g).add(pair.v);
    const g = this.tensors.get(pair.g)!;
    const v = this.tensors.get(pair.v)!;
    return foldWeightNorm(g.readSync(), g.shape, v.readSync(), v.shape);
  }

  usedKeyCount(): number {
    return this.usedKeys.size;
  }

  /** Checkpoint keys no request used so far and not ignored. */
  unexpected(): string[] {
    return [...this.byName]
      .filter(([name, key]) => !this.usedKeys.has(key) && !this.opts.ignore?.(name))
      .map(([, key]) => key);
  }

  /** Throws CheckpointKeysError if any request failed (and, with `complete`, if keys were left over). */
  check(complete: boolean): void {
    const unexpected = complete ? this.unexpected() : [];
    if (this.missing.length || this.mismatched.length || unexpected.length) {
      throw new CheckpointKeysError(this.opts.label, [...this.missing], [...this.mismatched], unexpected);
    }
  }

  /**
   * Checks a network's full parameter inventory before building (cheap: shapes only), so a wrong
   * file fails at once with the complete list instead of after minutes of graph building.
   */
  preflight(expected: readonly (readonly [string, readonly number[]])[]): void {
    const missing: string[] = [];
    const mismatched: ShapeMismatch[] = [];
    const wanted = new Set<string>();
    for (const [name, dims] of expected) {
      wanted.add(name);
      const shape = this.shape(name);
      if (!shape) missing.push(name);
      else if (shape.join(',') !== dims.join(',')) mismatched.push({ name, want: [...dims], got: shape });
    }
    const covered = new Set<string>();
    for (const name of wanted) {
      const key = this.byName.get(name);
      if (key) covered.add(key);
      const pair = this.norms.get(name);
      if (pair) covered.add(pair.g).add(pair.v);
    }
    const unexpected = [...this.byName].filter(([name, key]) => !covered.has(key) && !this.opts.ignore?.(name)).map(([, key]) => key);
    if (missing.length || mismatched.length || unexpected.length) throw new CheckpointKeysError(this.opts.label, missing, mismatched, unexpected);
  }
}
