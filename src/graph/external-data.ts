// Session creation from a graph whose weights point into the original bytes as ONNX external
// data. onnxruntime-web then copies each weight once, straight into its tensor, instead of
// parsing the whole protobuf (weights included) and copying the weights out of it: on the
// real-size HuBERT (377 MB) that is ~0.3 GB less WASM heap at creation, and the WASM heap never
// shrinks. No bytes are copied here: the external "file" is the model bytes themselves.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

/** The name the weights are mounted under (the session option `externalData[].path`). */
export const EXTERNAL_DATA_PATH = 'weights.bin';

export interface ExternalizedModel {
  /** The graph with every large initializer referring to `data` (small: no weights). */
  graph: Uint8Array;
  /** The original model bytes, which hold the weights at the recorded offsets. */
  data: Uint8Array;
  /** Initializers moved out. */
  tensors: number;
}

/** Moves every initializer of at least `minBytes` out of the protobuf (by reference, no copy). */
export function externalizeWeights(bytes: Uint8Array, minBytes = 1024): ExternalizedModel {
  const model = onnx.ModelProto.decode(bytes);
  let tensors = 0;
  for (const t of model.graph!.initializer!) {
    const raw = t.rawData;
    // rawData is a view into `bytes` (protobufjs decodes bytes fields as subarrays).
    if (!raw || raw.length < minBytes || raw.buffer !== bytes.buffer) continue;
    const offset = raw.byteOffset - bytes.byteOffset;
    t.externalData = [
      { key: 'location', value: EXTERNAL_DATA_PATH },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ];
    t.dataLocation = EXTERNAL;
    t.rawData = new Uint8Array(0);
    tensors++;
  }
  return { graph: onnx.ModelProto.encode(model).finish(), data: bytes, tensors };
}
