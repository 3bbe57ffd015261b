// A small DSL over the ONNX protobuf (onnx-proto) for building inference graphs in TypeScript.
// Every network in src/graph/models is a function `config -> Graph`; weights enter as named
// initializers so checkpoint tensors can be dropped in by name later.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type DType = 'float32' | 'float16' | 'int64' | 'int32' | 'bool' | 'uint8' | 'int8';
/** A dimension: a fixed size or a symbolic name (dynamic axis). */
export type Dim = number | string;
export type TypedData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;
export type AttrValue = number | string | number[] | Float32Array | { float: number } | { floats: number[] } | { tensor: ConstTensor } | { graph: Graph };

export interface ConstTensor {
  dtype: DType;
  dims: number[];
  data: TypedData;
}

const ONNX_TYPE: Record<DType, number> = {
  float32: 1, // FLOAT
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
};

export const OPSET = 17; // LayerNormalization needs 17; onnxruntime-web 1.30 supports it on wasm and webgpu.
const IR_VERSION = 8; // the newest IR onnx-proto (ONNX 1.10) can describe; ORT reads it.

function bytesOf(data: TypedData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function dtypeOf(data: TypedData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Uint16Array) return 'float16';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  return 'uint8';
}

export function numel(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

interface ValueInfo {
  name: string;
  dtype: DType;
  shape?: Dim[];
}

export interface Initializer {
  name: string;
  dims: number[];
  data: TypedData;
  dtype: DType;
}

/**
 * An ONNX graph under construction. `node()` returns the output names so graph code reads like
 * dataflow: `const y = g.node('MatMul', [x, w])`.
 */
export class Graph {
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly initializers = new Map<string, Initializer>();
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private counter = 0;
  private readonly constCache = new Map<string, string>();

  constructor(readonly name: string) {}

  /** A fresh, unique value name; `hint` keeps graphs readable in Netron. */
  fresh(hint = 'v'): string {
    return `${hint}_${this.counter++}`;
  }

  input(name: string, dtype: DType, shape: Dim[]): string {
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  /** Marks `value` as a graph output named `name` (adds an Identity when the names differ). */
  output(value: string, name: string, dtype: DType, shape?: Dim[]): string {
    if (value !== name) this.node('Identity', [value], {}, name);
    this.outputs.push({ name, dtype, shape });
    return name;
  }

  /** A named weight tensor. Names are the upstream parameter names, so checkpoints map 1:1. */
  weight(name: string, dims: number[], data: TypedData): string {
    if (numel(dims) !== data.length) {
      throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
    }
    if (this.initializers.has(name)) throw new Error(`initializer ${name} defined twice`);
    this.initializers.set(name, { name, dims: [...dims], data, dtype: dtypeOf(data) });
    return name;
  }

  /** An anonymous constant (shape vectors, scalars); identical constants are shared. */
  constant(data: TypedData, dims: number[] = [data.length]): string {
    const dtype = dtypeOf(data);
    const key = `${dtype}|${dims.join(',')}|${Array.from(data as ArrayLike<number | bigint>, String).join(',')}`;
    const hit = data.length <= 64 ? this.constCache.get(key) : undefined;
    if (hit) return hit;
    const name = this.fresh('const');
    this.initializers.set(name, { name, dims: [...dims], data, dtype });
    if (data.length <= 64) this.constCache.set(key, name);
    return name;
  }

  /** int64 1-D constant, the common case for shapes, axes and indices. */
  ints(values: number[]): string {
    return this.constant(BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** int64 scalar constant. */
  int(value: number): string {
    return this.constant(BigInt64Array.of(BigInt(value)), []);
  }

  /** float32 scalar constant. */
  float(value: number): string {
    return this.constant(Float32Array.of(value), []);
  }

  /** Adds one node with a single output and returns that output's name. */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.nodeN(op, inputs, attrs, [output ?? this.fresh(op)])[0];
  }

  /** Adds one node with several outputs (a count for fresh names, or explicit names). */
  nodeN(op: string, inputs: string[], attrs: Record<string, AttrValue>, outputs: number | string[]): string[] {
    const outNames = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(op)) : outputs;
    const attribute = Object.entries(attrs).map(([name, v]) => encodeAttr(name, v));
    this.nodes.push(onnx.NodeProto.create({ opType: op, input: inputs, output: outNames, name: this.fresh(`n_${op}`), attribute }));
    return outNames;
  }

  /** Number of parameters (elements) in named weights, excluding anonymous constants. */
  parameterCount(): number {
    let n = 0;
    for (const init of this.initializers.values()) if (!init.name.startsWith('const_')) n += init.data.length;
    return n;
  }

  toProto(): InstanceType<typeof onnx.GraphProto> {
    return onnx.GraphProto.create({
      name: this.name,
      node: this.nodes,
      input: this.inputs.map(valueInfo),
      output: this.outputs.map(valueInfo),
      initializer: [...this.initializers.values()].map((t) =>
        onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType: ONNX_TYPE[t.dtype], rawData: bytesOf(t.data) }),
      ),
    });
  }

  /** Serializes to an ONNX model file (opset 17, IR 8). */
  toBytes(docString = ''): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'mynah',
      producerVersion: '0.1',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: this.toProto(),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(v: ValueInfo) {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_TYPE[v.dtype],
        shape: v.shape ? { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } : undefined,
      },
    },
  });
}

const A = onnx.AttributeProto.AttributeType;

function encodeAttr(name: string, v: AttrValue) {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use {float: x} for non-integers`);
    return onnx.AttributeProto.create({ name, type: A.INT, i: v });
  }
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: v });
  if (v instanceof Float32Array) return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: Array.from(v) });
  if ('float' in v) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: v.float });
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: v.floats });
  if ('graph' in v) return onnx.AttributeProto.create({ name, type: A.GRAPH, g: v.graph.toProto() });
  const t = v.tensor;
  return onnx.AttributeProto.create({
    name,
    type: A.TENSOR,
    t: onnx.TensorProto.create({ dims: t.dims, dataType: ONNX_TYPE[t.dtype], rawData: bytesOf(t.data) }),
  });
}
