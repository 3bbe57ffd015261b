// WebGPU in Node for the GPU bench: Dawn's Node binding (dawn.node from the npm package `webgpu`)
// installed as navigator.gpu and the WebGPU globals, so onnxruntime-web's WebGPU build and the
// engine run as they do in a browser worker. No browser and no network needed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';

export interface NodeGpu {
  dawnPath: string;
  flags: string[];
  /** vendor, architecture, description / device of the adapter Dawn picked. */
  adapter: string;
  backend: string;
  features: string[];
  /** Dawn's null backend computes nothing: its figures check the plumbing, not a GPU. */
  isNull: boolean;
}

/** Fails the bench with a message that says what is missing and what to try. */
export class NoAdapterError extends Error {}

/** The parts of Dawn's WebGPU objects used here (lib.dom's WebGPU types are not assumed). */
interface DawnAdapter {
  features: Set<string>;
  info: { vendor?: string; architecture?: string; description?: string; device?: string };
}
interface DawnGpu {
  requestAdapter(opts?: { powerPreference?: string }): Promise<DawnAdapter | null>;
}
type WriteBuffer = (buffer: unknown, offset: number, data: ArrayBufferView | ArrayBuffer, ...rest: unknown[]) => undefined;

/** dawn.node of the installed `webgpu` package (the kit passes its own path). */
export function defaultDawnPath(): string {
  const pkg = createRequire(import.meta.url).resolve('webgpu/package.json');
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  return join(dirname(pkg), 'dist', `${process.platform}-${arch}`, 'dawn.node');
}

const HINT =
  'Dawn needs a Vulkan driver on Linux: the Vulkan loader (libvulkan.so.1, Debian/Ubuntu package libvulkan1) and the GPU\'s ICD ' +
  '(NVIDIA: nvidia_icd.json from the driver; point VK_ICD_FILENAMES at it if it is not in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d). ' +
  "Dawn's own warnings above say what it tried. DAWN_FLAGS='backend=vulkan' or 'adapter=NAME' picks one explicitly.";

/**
 * Loads dawn.node, installs the WebGPU globals and navigator.gpu, and asks for a high-performance
 * adapter. Throws NoAdapterError when Dawn loads but finds none, or cannot load at all.
 */
export async function installNodeWebGpu(dawnPath = process.env.MYNAH_DAWN_NODE || defaultDawnPath(), flags = (process.env.DAWN_FLAGS ?? '').split(/\s+/).filter(Boolean)): Promise<NodeGpu> {
  if (!existsSync(dawnPath)) throw new NoAdapterError(`no WebGPU adapter: ${dawnPath} does not exist (npm install webgpu, or set MYNAH_DAWN_NODE)`);
  let dawn: { create(flags: string[]): DawnGpu; globals: Record<string, unknown> };
  try {
    dawn = createRequire(import.meta.url)(dawnPath);
  } catch (e) {
    throw new NoAdapterError(`no WebGPU adapter: ${dawnPath} did not load (${(e as Error).message}). ${HINT}`);
  }
  Object.assign(globalThis, dawn.globals);
  // onnxruntime-web's WASM heap is a SharedArrayBuffer (its builds are all threaded), and dawn.node
  // rejects writeBuffer from a shared view ("Invalid argument") where browsers accept it: copy.
  const queue = (dawn.globals.GPUQueue as { prototype: { writeBuffer: WriteBuffer } }).prototype;
  const writeBuffer = queue.writeBuffer;
  queue.writeBuffer = function (this: unknown, buffer, offset, data, ...rest) {
    if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) data = (data as Uint8Array).slice();
    return writeBuffer.call(this, buffer, offset, data, ...rest);
  };
  const gpu = dawn.create(flags);
  // Node 21+ has a read-only navigator; define ours over it.
  const nav = { gpu, hardwareConcurrency: cpus().length, userAgent: `Node.js ${process.version}` };
  Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoAdapterError(`no WebGPU adapter: Dawn (${dawnPath}${flags.length ? `, flags ${flags.join(' ')}` : ''}) found none. ${HINT}`);
  const i = adapter.info;
  const name = [i.vendor, i.architecture, i.description || i.device].filter(Boolean).join(' ');
  const isNull = flags.includes('backend=null');
  return { dawnPath, flags, adapter: name || (isNull ? 'Dawn null backend' : 'unknown adapter'), backend: isNull ? 'null' : flags.find((f) => f.startsWith('backend='))?.slice(8) ?? 'default', features: [...adapter.features].sort(), isNull };
}
