// int8 variants of built graphs, for onnxruntime-web's WASM backend: a transform over the
// serialised ModelProto, so the same graph code (and converted checkpoints) gives both.
//
// Every Gemm/MatMul whose weight is an initializer becomes a DynamicQuantizeMatMul (ORT contrib
// op): int8 weights with one scale per output column (symmetric), activations quantized to uint8
// per call by the kernel itself. Measured on WASM (onnxruntime-web 1.30, 2 cores): a 318-row T2S
// prefill runs ~2x faster than fp32, a one-row decode step slower (fp32 GEMV is bound by memory
// bandwidth; MLAS's WASM int8 GEMM has no prepacked B, so every call first widens the int8
// weights into int16 panels and then runs i16 dot products over them: arithmetic per weight that
// one row in cannot amortise). MatMulInteger and QLinearMatMul run the same kernel. The alternatives are slower
// there: MatMulNBits (8-bit) has no WASM kernel and dequantizes its weights on every call
// (~10x slower), and DequantizeLinear + MatMul does the same in two ops.
//
// Convs can go int8 too (`convs: true`): DynamicQuantizeLinear + ConvInteger (uint8 weights, zero
// point 128) + a per-channel rescale. ConvTranspose has no integer form and
// stays fp32.
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;
type ModelProto = OnnxTypes.IModelProto;
type NodeProto = OnnxTypes.INodeProto;
type TensorProto = OnnxTypes.ITensorProto;

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const ATTR_INT = 2;

export interface Int8Options {
  /** Also quantize Conv weights (ConvInteger). Default false. */
  convs?: boolean;
  /**
   * Weights with fewer elements stay fp32: a small layer's cost is per-op overhead, not bytes, so
   * int8 only adds rounding. Default 65536 (a 256x256 matrix; every GPT-SoVITS v2 T2S matmul is
   * larger, every tiny test-pack one smaller).
   */
  minElements?: number;
}

export interface Int8Report {
  /** Gemm/MatMul nodes now DynamicQuantizeMatMul. */
  matmuls: number;
  /** Conv nodes now ConvInteger. */
  convs: number;
  /** Bytes of float weights replaced, and of what replaced them. */
  floatBytes: number;
  int8Bytes: number;
}

function attr(node: NodeProto, name: string): OnnxTypes.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}
const attrInt = (node: NodeProto, name: string, dflt: number) => {
  const a = attr(node, name);
  return a ? Number(a.i) : dflt;
};
const attrFloat = (node: NodeProto, name: string, dflt: number) => attr(node, name)?.f ?? dflt;

/** Float32 values of an initializer (raw_data or float_data). */
export function floatsOf(t: TensorProto): Float32Array {
  if (t.dataType !== FLOAT) throw new Error(`initializer ${t.name} is not float32`);
  const raw = t.rawData;
  if (raw && raw.length) {
    // Copy: raw_data views into the model bytes need not be 4-byte aligned.
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
}

const dimsOf = (t: TensorProto) => (t.dims ?? []).map(Number);

function tensor(name: string, dims: number[], dataType: number, data: ArrayBufferView): TensorProto {
  return onnx.TensorProto.create({ name, dims, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
}

/**
 * Symmetric per-column int8 of a [K, N] matrix B: q = round(B / s_n), s_n = max_k |B[k, n]| / 127
 * (a zero column gets scale 1). `w` holds B itself, or Bᵀ ([N, K], a Gemm's transB weight).
 */
function quantizeColumns(K: number, N: number, w: Float32Array, transposed: boolean): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(N);
  const q = new Int8Array(K * N);
  if (transposed) {
    const inv = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      let m = 0;
      for (let k = n * K, end = k + K; k < end; k++) m = Math.max(m, Math.abs(w[k]));
      scale[n] = m > 0 ? m / 127 : 1;
      inv[n] = 1 / scale[n]; // of the stored float32, as the kernel will use it
    }
    // Transposing in tiles keeps both sides in cache.
    const T = 64;
    for (let n0 = 0; n0 < N; n0 += T) {
      for (let k0 = 0; k0 < K; k0 += T) {
        for (let n = n0; n < Math.min(n0 + T, N); n++) {
          const r = inv[n];
          // |w| <= 127·s, so no clamp is needed (Int8Array would wrap, not saturate).
          for (let k = k0; k < Math.min(k0 + T, K); k++) q[k * N + n] = Math.round(w[n * K + k] * r);
        }
      }
    }
  } else {
    const m = new Float32Array(N);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) m[n] = Math.max(m[n], Math.abs(w[k * N + n]));
    const inv = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      scale[n] = m[n] > 0 ? m[n] / 127 : 1;
      inv[n] = 1 / scale[n];
    }
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) q[k * N + n] = Math.round(w[k * N + n] * inv[n]);
  }
  return { q, scale };
}

/** Returns the int8 variant of an ONNX model (bytes in, bytes out) and what changed. */
export function quantizeInt8(bytes: Uint8Array, opts: Int8Options = {}): { bytes: Uint8Array; report: Int8Report } {
  const model = onnx.ModelProto.decode(bytes);
  const report = quantizeModelInt8(model, opts);
  return { bytes: onnx.ModelProto.encode(model).finish(), report };
}

export function quantizeModelInt8(model: ModelProto, opts: Int8Options = {}): Int8Report {
  const g = model.graph!;
  const minElements = opts.minElements ?? 65536;
  const inits = new Map(g.initializer!.map((t) => [t.name!, t]));
  const report: Int8Report = { matmuls: 0, convs: 0, floatBytes: 0, int8Bytes: 0 };
  const added: TensorProto[] = [];
  const replaced = new Set<string>();
  const done = new Map<string, { q: string; scale: string }>(); // weight name -> quantized names (a weight may feed several nodes)
  let counter = 0;
  const fresh = (hint: string) => `${hint}_q8_${counter++}`;
  const weightOf = (name: string | undefined, rank: number) => {
    const t = name ? inits.get(name) : undefined;
    return t && t.dataType === FLOAT && dimsOf(t).length === rank && dimsOf(t).reduce((a, b) => a * b, 1) >= minElements ? t : undefined;
  };

  const nodes: NodeProto[] = [];
  for (const node of g.node!) {
    const op = node.opType;
    const isGemm = op === 'Gemm' && !node.domain && attrInt(node, 'transA', 0) === 0 && attrFloat(node, 'alpha', 1) === 1 && attrFloat(node, 'beta', 1) === 1;
    const w = op === 'MatMul' || isGemm ? weightOf(node.input![1], 2) : undefined;
    if (w) {
      const transB = isGemm && attrInt(node, 'transB', 0) === 1;
      let names = done.get(w.name!);
      if (!names) {
        const [d0, d1] = dimsOf(w);
        const data = floatsOf(w);
        // B is [K, N] (or [N, K] with transB); DynamicQuantizeMatMul takes [K, N].
        const [K, N] = transB ? [d1, d0] : [d0, d1];
        const { q, scale } = quantizeColumns(K, N, data, transB);
        names = { q: `${w.name}.int8`, scale: `${w.name}.scale` };
        added.push(tensor(names.q, [K, N], INT8, q), tensor(names.scale, [N], FLOAT, scale));
        done.set(w.name!, names);
        report.floatBytes += data.byteLength;
        report.int8Bytes += q.byteLength + scale.byteLength;
      }
      replaced.add(w.name!);
      // Gemm's C is a bias only when it is a 1-D [N] initializer; otherwise keep it as an Add.
      const c = isGemm ? node.input![2] : undefined;
      const cInit = c ? inits.get(c) : undefined;
      const biasInGemm = !!c && !!cInit && dimsOf(cInit).length === 1;
      const out = c && !biasInGemm ? fresh('mm') : node.output![0];
      nodes.push(
        onnx.NodeProto.create({
          opType: 'DynamicQuantizeMatMul',
          domain: 'com.microsoft',
          name: `${node.name}_int8`,
          input: [node.input![0], names.q, names.scale, '', ...(biasInGemm ? [c!] : [])],
          output: [out],
        }),
      );
      if (c && !biasInGemm) nodes.push(onnx.NodeProto.create({ opType: 'Add', name: `${node.name}_bias`, input: [out, c], output: node.output }));
      report.matmuls++;
      continue;
    }
    const cw = opts.convs && op === 'Conv' && !node.domain ? weightOf(node.input![1], 3) ?? weightOf(node.input![1], 4) : undefined;
    if (cw) {
      nodes.push(...convInteger(node, cw, inits, added, replaced, report, fresh));
      report.convs++;
      continue;
    }
    nodes.push(node);
  }
  // A float weight stays only if some node still reads it.
  const stillRead = new Set(nodes.flatMap((n) => n.input ?? []));
  g.initializer = [...g.initializer!.filter((t) => !replaced.has(t.name!) || stillRead.has(t.name!)), ...added];
  g.node = nodes;
  if (!model.opsetImport!.some((o) => o.domain === 'com.microsoft')) model.opsetImport!.push(onnx.OperatorSetIdProto.create({ domain: 'com.microsoft', version: 1 }));
  return report;
}

/**
 * Conv(x, W, b) -> DynamicQuantizeLinear(x) -> ConvInteger(x_q, W_q, x_zp, 128) -> Cast ->
 * Mul(x_scale · s_c) -> Add(b). W_q is uint8 with a per-output-channel scale s_c and zero point 128.
 */
function convInteger(
  node: NodeProto,
  w: TensorProto,
  inits: Map<string, TensorProto>,
  added: TensorProto[],
  replaced: Set<string>,
  report: Int8Report,
  fresh: (hint: string) => string,
): NodeProto[] {
  const dims = dimsOf(w);
  const C = dims[0];
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  const data = floatsOf(w);
  const q = new Uint8Array(data.length);
  const scale = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let i = 0; i < per; i++) m = Math.max(m, Math.abs(data[c * per + i]));
    scale[c] = m > 0 ? m / 127 : 1;
    for (let i = 0; i < per; i++) q[c * per + i] = 128 + Math.max(-127, Math.min(127, Math.round(data[c * per + i] / scale[c])));
  }
  const base = fresh(node.name || 'conv');
  const qName = `${base}.w`;
  const zpName = `${base}.wzp`;
  const scaleName = `${base}.wscale`;
  // Rescale broadcast over [N, C, spatial...].
  const scaleDims = [C, ...dims.slice(2).map(() => 1)];
  // ORT's ConvInteger takes one weight zero point; 128 for every channel, only scales differ.
  added.push(tensor(qName, dims, UINT8, q), tensor(zpName, [], UINT8, Uint8Array.of(128)), tensor(scaleName, scaleDims, FLOAT, scale));
  replaced.add(w.name!);
  report.floatBytes += data.byteLength;
  report.int8Bytes += q.byteLength + scale.byteLength + 1;
  const [xq, xs, xzp, acc, accF, both, scaled] = ['xq', 'xs', 'xzp', 'acc', 'accf', 'scale', 'y'].map((s) => `${base}.${s}`);
  const convAttrs = (node.attribute ?? []).filter((a) => ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'].includes(a.name!));
  const out: NodeProto[] = [
    onnx.NodeProto.create({ opType: 'DynamicQuantizeLinear', name: `${base}_dql`, input: [node.input![0]], output: [xq, xs, xzp] }),
    onnx.NodeProto.create({ opType: 'ConvInteger', name: `${base}_conv`, input: [xq, qName, xzp, zpName], output: [acc], attribute: convAttrs }),
    onnx.NodeProto.create({ opType: 'Cast', name: `${base}_cast`, input: [acc], output: [accF], attribute: [{ name: 'to', type: ATTR_INT, i: FLOAT }] }),
    onnx.NodeProto.create({ opType: 'Mul', name: `${base}_s`, input: [xs, scaleName], output: [both] }),
  ];
  const bias = node.input![2];
  if (bias) {
    out.push(onnx.NodeProto.create({ opType: 'Mul', name: `${base}_mul`, input: [accF, both], output: [scaled] }));
    const b = inits.get(bias);
    // A 1-D bias [C] must broadcast over the channel axis.
    if (b && dimsOf(b).length === 1) {
      const bName = `${base}.b`;
      added.push(tensor(bName, scaleDims, FLOAT, floatsOf(b)));
      replaced.add(bias); // dropped unless another node reads it
      out.push(onnx.NodeProto.create({ opType: 'Add', name: `${base}_bias`, input: [scaled, bName], output: node.output }));
    } else {
      out.push(onnx.NodeProto.create({ opType: 'Add', name: `${base}_bias`, input: [scaled, bias], output: node.output }));
    }
  } else {
    out.push(onnx.NodeProto.create({ opType: 'Mul', name: `${base}_mul`, input: [accF, both], output: node.output }));
  }
  return out;
}
