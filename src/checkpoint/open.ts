// Opens a checkpoint file of any format upstream GPT-SoVITS users have:
//  - torch.save zip (PyTorch >= 1.6; newer SoVITS .pth files start with a 2-byte version code
//    instead of "PK", which is reported as `versionCode`),
//  - torch.save legacy stream (PyTorch < 1.6; older Hugging Face pytorch_model.bin files),
//  - safetensors (Hugging Face model.safetensors).
// Only the pickle (or JSON header) is read here; tensors stay lazy (src/checkpoint/tensor.ts).
import { MynahError } from '../errors';
import { LE, type ByteSource } from './bytes';
import { ELEMENT_SIZE, SAFETENSORS_DTYPES, TORCH_STORAGE_DTYPES, type TensorDType } from './dtype';
import { PickleEndOfData, plainGlobals, plainObjectClass, unpickle, type PyValue, type SafeGlobal } from './pickle';
import { contiguousStrides, LazyTensor, type Storage } from './tensor';
import { readZipDirectory, readZipEntry, zipDataOffset } from './zip';

export type CheckpointFormat = 'torch-zip' | 'torch-legacy' | 'safetensors';

export interface Checkpoint {
  name: string;
  format: CheckpointFormat;
  /** Upstream's 2-byte version code ('00' v1 ... '06' v2ProPlus) when the file starts with one. */
  versionCode?: string;
  /** The unpickled object (safetensors: a Map of name -> tensor). */
  root: PyValue;
  source: ByteSource;
}

const invalid = (name: string, why: string) => new MynahError('CHECKPOINT_INVALID', `${name} is not a model checkpoint Mynah can read: ${why}.`);

/** Marker a torch.<Type>Storage global turns into (it is only ever named, never called). */
interface StorageType {
  storageDType: TensorDType;
}

function isStorageType(v: PyValue): v is StorageType {
  return typeof v === 'object' && v !== null && 'storageDType' in v;
}

function isStorage(v: PyValue): v is Storage {
  return typeof v === 'object' && v !== null && 'numel' in v && 'byteOffset' in v && 'source' in v;
}

function ints(v: PyValue, what: string, file: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw invalid(file, `a tensor's ${what} is malformed`);
  return v as number[];
}

/** The globals a PyTorch state dict (and upstream's configs) legitimately need. */
export function torchGlobals(file: string): Map<string, SafeGlobal> {
  const g = plainGlobals();
  for (const [name, dtype] of Object.entries(TORCH_STORAGE_DTYPES)) {
    const marker: SafeGlobal & StorageType = { storageDType: dtype };
    g.set(`torch.${name}`, marker);
  }
  const rebuild: SafeGlobal = {
    // _rebuild_tensor(_v2)(storage, storage_offset, size, stride, [requires_grad, backward_hooks, metadata])
    call([storage, offset, size, stride]) {
      if (!isStorage(storage ?? null) || typeof offset !== 'number') throw invalid(file, 'a tensor refers to no data');
      return new LazyTensor(storage as Storage, offset, ints(size, 'size', file), ints(stride, 'stride', file));
    },
  };
  g.set('torch._utils._rebuild_tensor_v2', rebuild);
  g.set('torch._utils._rebuild_tensor', rebuild);
  // nn.Parameter(data, requires_grad, hooks[, state]): the data is all the weights need.
  g.set('torch._utils._rebuild_parameter', { call: ([data]) => data });
  g.set('torch._utils._rebuild_parameter_with_state', { call: ([data]) => data });
  g.set('torch.Size', { call: ([dims]) => Object.freeze(Array.isArray(dims) ? [...dims] : []) });
  // Upstream's SoVITS config object (an attribute bag), kept as plain data.
  g.set('utils.HParams', plainObjectClass('utils.HParams'));
  g.set('GPT_SoVITS.utils.HParams', plainObjectClass('utils.HParams'));
  return g;
}

function storageTypeOf(v: PyValue, file: string): TensorDType {
  if (!isStorageType(v)) throw invalid(file, 'a tensor has an unknown storage type');
  return v.storageDType;
}

/** Opens `src`, detecting the format from its first bytes. */
export async function openCheckpoint(src: ByteSource): Promise<Checkpoint> {
  if (src.size < 16) throw invalid(src.name, `it is only ${src.size} bytes long`);
  const head = await src.read(0, 16);
  const digit = (b: number) => b >= 0x30 && b <= 0x39;
  if (head[2] === 0x03 && head[3] === 0x04 && ((head[0] === 0x50 && head[1] === 0x4b) || (digit(head[0]) && digit(head[1])))) {
    return openTorchZip(src, head[0] === 0x50 ? undefined : String.fromCharCode(head[0], head[1]));
  }
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return openTorchLegacy(src);
  const headerLength = new LE(head).u64(0);
  if (head[8] === 0x7b && headerLength > 0 && 8 + headerLength <= src.size) return openSafetensors(src, headerLength);
  if (head[0] === 0x7b) throw invalid(src.name, 'it is a JSON file (a config?), not weights');
  throw invalid(src.name, 'it does not start like a PyTorch (.ckpt/.pth/.bin) or safetensors file');
}

async function openTorchZip(src: ByteSource, versionCode: string | undefined): Promise<Checkpoint> {
  const entries = await readZipDirectory(src);
  const pkl = [...entries.values()].filter((e) => e.name.endsWith('/data.pkl') || e.name === 'data.pkl');
  if (pkl.length !== 1) throw invalid(src.name, 'it is a zip file, but not one written by torch.save');
  const prefix = pkl[0].name.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(await readZipEntry(src, byteorder)).trim() === 'big') {
    throw invalid(src.name, 'it was saved on a big-endian machine');
  }
  const pickleBytes = await readZipEntry(src, pkl[0]);
  // Data offsets of every storage entry, resolved up front because unpickling is synchronous.
  const offsets = new Map<string, { offset: number; size: number }>();
  for (const e of entries.values()) {
    if (e.name.startsWith(`${prefix}data/`)) offsets.set(e.name.slice(prefix.length + 5), { offset: await zipDataOffset(src, e), size: e.size });
  }
  const storages = new Map<string, Storage>();
  const { value } = unpickle(pickleBytes, {
    fileName: src.name,
    globals: torchGlobals(src.name),
    persistentLoad(pid) {
      // ('storage', storage_type, key, location, numel)
      if (!Array.isArray(pid) || pid[0] !== 'storage' || typeof pid[2] !== 'string') throw invalid(src.name, 'it refers to data in an unknown way');
      const key = pid[2];
      const dtype = storageTypeOf(pid[1], src.name);
      const known = storages.get(key);
      if (known) return known;
      const at = offsets.get(key);
      if (!at) throw new MynahError('CHECKPOINT_TRUNCATED', `${src.name} is incomplete (tensor data ${key} is missing). Copy or download the file again.`);
      const s: Storage = { key, dtype, numel: Math.floor(at.size / ELEMENT_SIZE[dtype]), source: src, byteOffset: at.offset };
      storages.set(key, s);
      return s;
    },
  });
  return { name: src.name, format: 'torch-zip', versionCode, root: value, source: src };
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

async function openTorchLegacy(src: ByteSource): Promise<Checkpoint> {
  const globals = torchGlobals(src.name);
  const storages = new Map<string, Storage & { byteOffset: number }>();
  const persistentLoad = (pid: PyValue): PyValue => {
    // ('storage', storage_type, root_key, location, numel, view_metadata)
    if (!Array.isArray(pid) || pid[0] !== 'storage' || typeof pid[2] !== 'string') throw invalid(src.name, 'it refers to data in an unknown way');
    if (pid[5] !== null && pid[5] !== undefined) throw invalid(src.name, 'it uses storage views from a very old PyTorch');
    const key = pid[2];
    let s = storages.get(key);
    if (!s) {
      s = { key, dtype: storageTypeOf(pid[1], src.name), numel: typeof pid[4] === 'number' ? pid[4] : 0, source: src, byteOffset: -1 };
      storages.set(key, s);
    }
    return s;
  };
  // The header (5 pickles) is small but of unknown length: read a prefix, grow it if needed.
  let length = Math.min(src.size, 1 << 20);
  let parsed: { root: PyValue; keys: PyValue; end: number } | undefined;
  for (;;) {
    const bytes = await src.read(0, length);
    try {
      const opts = { fileName: src.name, globals, persistentLoad };
      const magic = unpickle(bytes, opts);
      if (magic.value !== LEGACY_MAGIC) throw invalid(src.name, 'it is a Python pickle, not a PyTorch checkpoint');
      const protocol = unpickle(bytes, opts, magic.end);
      if (protocol.value !== 1001) throw invalid(src.name, `its PyTorch legacy format version ${String(protocol.value)} is unknown`);
      const sysInfo = unpickle(bytes, opts, protocol.end);
      if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) throw invalid(src.name, 'it was saved on a big-endian machine');
      const main = unpickle(bytes, opts, sysInfo.end);
      const keys = unpickle(bytes, opts, main.end);
      parsed = { root: main.value, keys: keys.value, end: keys.end };
      break;
    } catch (e) {
      if (!(e instanceof PickleEndOfData)) throw e;
      if (length === src.size) throw new MynahError('CHECKPOINT_TRUNCATED', `${src.name} is incomplete (it ends inside its header). Copy or download the file again.`);
      length = Math.min(src.size, length * 4);
    }
  }
  if (!Array.isArray(parsed.keys)) throw invalid(src.name, 'its storage list is malformed');
  // Storages follow in the listed order, each as an int64 element count and the raw elements.
  let offset = parsed.end;
  for (const key of parsed.keys) {
    const s = storages.get(String(key));
    if (!s) throw invalid(src.name, `it lists data ${String(key)} that no tensor uses`);
    const count = new LE(await src.read(offset, 8)).u64(0);
    if (count !== s.numel) throw invalid(src.name, `data ${s.key} has ${count} elements where ${s.numel} were announced`);
    s.byteOffset = offset + 8;
    offset += 8 + count * ELEMENT_SIZE[s.dtype];
    if (offset > src.size) throw new MynahError('CHECKPOINT_TRUNCATED', `${src.name} is incomplete (tensor data ends early). Copy or download the file again.`);
  }
  for (const s of storages.values()) if (s.byteOffset < 0) throw invalid(src.name, `tensor data ${s.key} is missing`);
  return { name: src.name, format: 'torch-legacy', root: parsed.root, source: src };
}

async function openSafetensors(src: ByteSource, headerLength: number): Promise<Checkpoint> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(await src.read(8, headerLength)));
  } catch {
    throw invalid(src.name, 'its safetensors header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null) throw invalid(src.name, 'its safetensors header is not an object');
  const dataStart = 8 + headerLength;
  const root = new Map<PyValue, PyValue>();
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const t = info as { dtype?: string; shape?: unknown; data_offsets?: unknown };
    const dtype = SAFETENSORS_DTYPES[t.dtype ?? ''];
    if (!dtype) throw invalid(src.name, `tensor ${name} has the unsupported type ${t.dtype}`);
    const shape = ints((t.shape ?? null) as PyValue, 'shape', src.name);
    const [begin, end] = ints((t.data_offsets ?? null) as PyValue, 'data offsets', src.name);
    const numel = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== numel * ELEMENT_SIZE[dtype]) throw invalid(src.name, `tensor ${name} has ${end - begin} bytes for shape [${shape}]`);
    if (dataStart + end > src.size) throw new MynahError('CHECKPOINT_TRUNCATED', `${src.name} is incomplete (tensor ${name} ends past the file). Copy or download the file again.`);
    const storage: Storage = { key: name, dtype, numel, source: src, byteOffset: dataStart + begin };
    root.set(name, new LazyTensor(storage, 0, shape, contiguousStrides(shape)));
  }
  return { name: src.name, format: 'safetensors', root, source: src };
}

/**
 * The state dict inside a checkpoint: upstream's `{"weight": ...}`, Lightning's `state_dict`, or
 * the object itself (Hugging Face files). Non-tensor entries are left out.
 */
export function stateDict(ckpt: Checkpoint): Map<string, LazyTensor> {
  let dict = ckpt.root;
  if (dict instanceof Map) {
    for (const key of ['weight', 'state_dict', 'model', 'generator']) {
      const inner = dict.get(key);
      if (inner instanceof Map && [...inner.values()].some((v) => v instanceof LazyTensor)) {
        dict = inner;
        break;
      }
    }
  }
  const out = new Map<string, LazyTensor>();
  if (dict instanceof Map) for (const [k, v] of dict) if (typeof k === 'string' && v instanceof LazyTensor) out.set(k, v);
  if (out.size === 0) throw invalid(ckpt.name, 'it contains no weights');
  return out;
}
