// fp16 variants of built graphs, for WebGPU adapters with `shader-f16`: a transform over the
// serialised ModelProto (same graph code, same checkpoints). Weights and activations become
// float16; graph inputs and outputs stay float32 (a Cast at each edge), so the engine feeds and
// reads either variant the same way.
//
// Kept in float32, with Casts around them:
// - LayerNormalization and Softmax (fp16 overflow in their reductions is a known WebGPU failure);
// - position and length arithmetic: anything computed from integers cast to float (row counts,
//   positions, attention-mask limits). fp16 holds integers exactly only up to 2048, and T2S
//   sequences pass that;
// - Range, Sin, Cos (positions and their angles), and Resize's `scales` (float32 by the spec).
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;
type ModelProto = OnnxTypes.IModelProto;
type NodeProto = OnnxTypes.INodeProto;
type TensorProto = OnnxTypes.ITensorProto;

const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;
const FLOAT16 = 10;

/** Ops computed in float32 whatever their inputs. */
const FP32_OPS = new Set(['LayerNormalization', 'Softmax', 'Range', 'Sin', 'Cos']);
/** Inputs that ONNX types as float32 whatever the data type (op -> input indices). */
const FP32_INPUTS: Record<string, number[]> = { Resize: [2] };
/** Ops whose output is bool. */
const BOOL_OPS = new Set(['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
/** Ops whose output is int64 whatever the input. */
const INT64_OPS = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);

/** IEEE half bits of a float32 value (round to nearest even; beyond ±65504 saturates). */
export function toHalf(v: number): number {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  f[0] = v;
  const x = u[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff; // saturate: a weight past fp16's range is clipped, not inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  if ((h & 0x7fff) >= 0x7c00) return sign | 0x7bff;
  return sign | h;
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function floatsOf(t: TensorProto): Float32Array {
  const raw = t.rawData;
  if (raw && raw.length) return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  return Float32Array.from(t.floatData ?? []);
}

function halfTensor(t: TensorProto, name: string): TensorProto {
  const f = floatsOf(t);
  const h = new Uint16Array(f.length);
  for (let i = 0; i < f.length; i++) h[i] = toHalf(f[i]);
  return onnx.TensorProto.create({ name, dims: t.dims, dataType: FLOAT16, rawData: new Uint8Array(h.buffer) });
}

export interface Fp16Report {
  /** Nodes computing in fp16, and in fp32. */
  fp16Nodes: number;
  fp32Nodes: number;
  /** Casts inserted at precision edges (graph inputs/outputs included). */
  casts: number;
  /** Initializers converted to fp16 (a copy stays when an fp32 node also reads one). */
  halfInitializers: number;
}

export function convertToFp16(bytes: Uint8Array): { bytes: Uint8Array; report: Fp16Report } {
  const model = onnx.ModelProto.decode(bytes);
  const report = convertModelToFp16(model);
  return { bytes: onnx.ModelProto.encode(model).finish(), report };
}

const attrInt = (n: NodeProto, name: string) => {
  const a = n.attribute?.find((x) => x.name === name);
  return a ? Number(a.i) : undefined;
};

export function convertModelToFp16(model: ModelProto): Fp16Report {
  const g = model.graph!;
  if (g.node!.some((n) => n.attribute?.some((a) => a.g || (a.graphs && a.graphs.length)))) throw new Error('fp16: graphs with subgraphs are not supported');
  const inits = new Map(g.initializer!.map((t) => [t.name!, t]));
  // 1. Element types in the float32 graph.
  const type = new Map<string, number>();
  for (const i of g.input!) type.set(i.name!, i.type?.tensorType?.elemType ?? FLOAT);
  for (const t of g.initializer!) type.set(t.name!, t.dataType!);
  for (const n of g.node!) {
    const t0 = type.get(n.input?.[0] ?? '') ?? FLOAT;
    let out: number;
    if (BOOL_OPS.has(n.opType!)) out = BOOL;
    else if (INT64_OPS.has(n.opType!)) out = INT64;
    else if (n.opType === 'Cast') out = attrInt(n, 'to') ?? FLOAT;
    else if (n.opType === 'Where') out = type.get(n.input![1]) ?? FLOAT;
    else if (n.opType === 'ConstantOfShape') out = n.attribute?.find((a) => a.name === 'value')?.t?.dataType ?? FLOAT;
    else out = t0;
    n.output!.forEach((o, i) => type.set(o, n.opType === 'TopK' && i === 1 ? INT64 : out));
  }
  const isFloat = (v: string) => !!v && type.get(v) === FLOAT;

  // 2. Which nodes stay fp32: FP32_OPS, and position arithmetic: casts from integers to float,
  // Range, and every node reading a float they produced (to its end: masks, lengths).
  const keep = new Set<NodeProto>();
  const pinned = new Set<string>();
  for (const n of g.node!) {
    const fromInt = n.opType === 'Cast' && attrInt(n, 'to') === FLOAT && !isFloat(n.input![0]);
    const positional = fromInt || n.opType === 'Range' || n.input!.some((i) => pinned.has(i));
    if (positional) for (const o of n.output!) if (isFloat(o)) pinned.add(o);
    if (positional || FP32_OPS.has(n.opType!)) keep.add(n);
  }

  // 3. Rewrite: every float edge carries fp16 unless it is pinned (position arithmetic) or feeds
  // an fp32 node; Casts bridge the two.
  const out: NodeProto[] = [];
  const halfOf = new Map<string, string>(); // fp32 value -> its fp16 twin
  const fullOf = new Map<string, string>(); // fp16 value -> its fp32 twin
  const report: Fp16Report = { fp16Nodes: 0, fp32Nodes: 0, casts: 0, halfInitializers: 0 };
  const newInits: TensorProto[] = [];
  const graphOutputs = new Set(g.output!.map((o) => o.name!));
  // Where each float value lives now: 'half' (fp16) or 'full' (fp32).
  const where = new Map<string, 'half' | 'full'>();
  for (const i of g.input!) if (isFloat(i.name!)) where.set(i.name!, 'full');
  for (const t of g.initializer!) if (t.dataType === FLOAT) where.set(t.name!, 'full');
  const cast = (from: string, to: 'half' | 'full'): string => {
    const memo = to === 'half' ? halfOf : fullOf;
    const hit = memo.get(from);
    if (hit) return hit;
    const init = inits.get(from);
    const name = `${from}_${to === 'half' ? 'fp16' : 'fp32'}`;
    if (init && to === 'half') {
      newInits.push(halfTensor(init, name));
      report.halfInitializers++;
    } else {
      out.push(onnx.NodeProto.create({ opType: 'Cast', name: `cast_${name}`, input: [from], output: [name], attribute: [{ name: 'to', type: 2, i: to === 'half' ? FLOAT16 : FLOAT }] }));
      report.casts++;
    }
    memo.set(from, name);
    where.set(name, to);
    return name;
  };
  const asPrecision = (v: string, to: 'half' | 'full') => (!v || !isFloat(v) || where.get(v) === to ? v : cast(v, to));

  for (const n of g.node!) {
    const fp32 = keep.has(n);
    const fp32Slots = FP32_INPUTS[n.opType!] ?? [];
    n.input = n.input!.map((v, i) => asPrecision(v, fp32 || fp32Slots.includes(i) ? 'full' : 'half'));
    if (!fp32) {
      if (n.opType === 'Cast' && attrInt(n, 'to') === FLOAT) n.attribute!.find((a) => a.name === 'to')!.i = FLOAT16;
      const value = n.opType === 'ConstantOfShape' ? n.attribute?.find((a) => a.name === 'value') : undefined;
      if (value?.t && value.t.dataType === FLOAT) value.t = halfTensor(value.t, value.t.name ?? '');
    }
    for (const o of n.output!) if (isFloat(o)) where.set(o, fp32 ? 'full' : 'half');
    out.push(n);
    if (fp32) report.fp32Nodes++;
    else report.fp16Nodes++;
  }
  // Graph outputs must stay fp32: rename an fp16 producer's output and cast it back.
  for (const o of g.output!) {
    if (!isFloat(o.name!) || where.get(o.name!) !== 'half') continue;
    const inner = `${o.name}_fp16`;
    for (const n of out) {
      n.output = n.output!.map((x) => (x === o.name ? inner : x));
      n.input = n.input!.map((x) => (x === o.name ? inner : x));
    }
    out.push(onnx.NodeProto.create({ opType: 'Cast', name: `cast_${o.name}`, input: [inner], output: [o.name!], attribute: [{ name: 'to', type: 2, i: FLOAT }] }));
    report.casts++;
  }
  // Float initializers read only through their fp16 twins are dropped.
  const read = new Set(out.flatMap((n) => n.input ?? []));
  g.initializer = [...g.initializer!.filter((t) => t.dataType !== FLOAT || read.has(t.name!) || graphOutputs.has(t.name!)), ...newInits];
  g.node = out;
  return report;
}
