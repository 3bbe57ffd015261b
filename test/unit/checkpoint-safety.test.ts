// Files that must be refused with a clear typed error: pickles that would run code (written by
// PyTorch itself, and hand-made opcode sequences), truncated and random files, files in the wrong
// slot, and GPT-SoVITS versions our graphs do not cover.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/checkpoint/bytes';
import { readGPT, readHubert, readRoberta, readSoVITS } from '../../src/checkpoint/models';
import { openCheckpoint, stateDict, torchGlobals } from '../../src/checkpoint/open';
import { unpickle } from '../../src/checkpoint/pickle';
import { MynahError } from '../../src/errors';

const DIR = new URL('../fixtures/checkpoints/', import.meta.url);
const load = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
const open = (bytes: Uint8Array, name = 'file.pth') => openCheckpoint(bytesSource(bytes, name));
// Where the malicious fixtures' commands would leave a trace if they ever ran.
const MARKER = '/tmp/mynah-fixture-pwned';

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<MynahError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(MynahError);
    return e as MynahError;
  }
  throw new Error('expected an error');
}

describe('malicious pickles', () => {
  it.each([
    ['malicious-os-system.ckpt', 'posix.system'], // os.system pickles as posix.system on Linux
    ['malicious-eval.ckpt', '__builtin__.eval'], // protocol 2 names builtins the Python 2 way
    ['malicious-subprocess.pth', 'commands.Popen'], // ...and subprocess through its Python 2 alias
  ])('%s is refused naming %s, and nothing runs', async (file, global) => {
    const e = await errorOf(open(load(file), file));
    expect(e.code).toBe('UNSAFE_PICKLE');
    expect(e.message).toContain(`"${global}"`);
    expect(e.message).toContain(file);
    expect(existsSync(MARKER)).toBe(false);
  });

  const enc = new TextEncoder();
  const opts = { fileName: 'crafted.pkl', globals: torchGlobals('crafted.pkl') };
  const bytes = (...parts: (number[] | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...enc.encode(p)] : p)));

  it('refuses GLOBAL and STACK_GLOBAL of anything off the whitelist before applying it', () => {
    // proto 2; GLOBAL os system; "echo"; TUPLE1; REDUCE; STOP
    const global = bytes([0x80, 2, 0x63], 'os\nsystem\n', [0x58, 4, 0, 0, 0], 'echo', [0x85, 0x52, 0x2e]);
    expect(() => unpickle(global, opts)).toThrow(/"os\.system"/);
    // proto 4; "builtins" "exec" STACK_GLOBAL ...
    const stack = bytes([0x80, 4, 0x8c, 8], 'builtins', [0x8c, 4], 'exec', [0x93, 0x8c, 1], 'x', [0x85, 0x52, 0x2e]);
    expect(() => unpickle(stack, opts)).toThrow(/"builtins\.exec"/);
    // INST (protocol 0 object construction) of a non-whitelisted class
    const inst = bytes([0x28], 'i', 'subprocess\nPopen\n', '.');
    expect(() => unpickle(inst, opts)).toThrow(/"subprocess\.Popen"/);
    // copyreg extension registry lookups are code lookups too
    expect(() => unpickle(bytes([0x80, 2, 0x82, 1, 0x2e]), opts)).toThrow(MynahError);
    // whitelisted names with a different module are still refused
    expect(() => unpickle(bytes([0x80, 2, 0x63], 'evil.torch._utils\n_rebuild_tensor_v2\n', [0x2e]), opts)).toThrow(/UNSAFE|asks to run/);
  });

  it('does not let a whitelisted storage type be called as a function', () => {
    const call = bytes([0x80, 2, 0x63], 'torch\nFloatStorage\n', [0x29, 0x52, 0x2e]);
    const e = (() => {
      try {
        unpickle(call, opts);
      } catch (err) {
        return err as MynahError;
      }
    })();
    expect(e?.code).toBe('CHECKPOINT_INVALID');
  });
});

describe('damaged and foreign files', () => {
  const good = load('s2-v2.pth');

  it.each([
    ['just the start', 100],
    ['half', Math.floor(good.length / 2)],
    ['all but the last byte', good.length - 1],
    ['all but the zip directory', good.length - 3000],
  ])('a .pth cut to %s is CHECKPOINT_TRUNCATED', async (_label, length) => {
    const e = await errorOf(open(good.slice(0, length), 's2G.pth'));
    expect(e.code).toBe('CHECKPOINT_TRUNCATED');
    expect(e.message).toContain('s2G.pth');
  });

  it('a legacy-format file cut short is CHECKPOINT_TRUNCATED', async () => {
    const legacy = load('roberta/pytorch_model.bin');
    for (const length of [500, Math.floor(legacy.length / 2), legacy.length - 10]) {
      expect((await errorOf(open(legacy.slice(0, length), 'pytorch_model.bin'))).code).toBe('CHECKPOINT_TRUNCATED');
    }
  });

  it('a file whose data bytes are cut (directory intact) fails when read, not silently', async () => {
    // Keep the zip directory but claim the file is smaller than a storage needs: the entry check fails.
    const src = bytesSource(good, 's2G.pth');
    const shrunk = { ...src, size: good.length - 200_000, read: src.read, readSync: src.readSync };
    const e = await errorOf(openCheckpoint(shrunk));
    expect(['CHECKPOINT_TRUNCATED', 'CHECKPOINT_INVALID']).toContain(e.code);
  });

  it('random bytes, a JSON file and an empty file are CHECKPOINT_INVALID', async () => {
    let seed = 7;
    const random = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    expect((await errorOf(open(random))).code).toBe('CHECKPOINT_INVALID');
    const json = load('hubert/config.json');
    const e = await errorOf(open(json, 'config.json'));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toMatch(/JSON/);
    expect((await errorOf(open(new Uint8Array(0)))).code).toBe('CHECKPOINT_INVALID');
  });

  it('a zip that is not a torch.save file is CHECKPOINT_INVALID', async () => {
    // Rename data.pkl inside a copy: the zip stays valid but has no pickle.
    const copy = good.slice();
    const name = new TextEncoder().encode('data.pkl');
    for (let i = 0; i + name.length <= copy.length; i++) {
      if (name.every((b, j) => copy[i + j] === b)) copy[i + 5] = 0x78; // data.pkl -> data.xkl
    }
    expect((await errorOf(open(copy))).code).toBe('CHECKPOINT_INVALID');
  });

  it('a pickle that is not a PyTorch legacy file is CHECKPOINT_INVALID', async () => {
    const pickle = Uint8Array.from([0x80, 2, 0x4b, 5, 0x2e, ...new Array(20).fill(0)]); // the int 5
    expect((await errorOf(open(pickle))).code).toBe('CHECKPOINT_INVALID');
  });
});

describe('wrong file, wrong version', () => {
  it('a GPT .ckpt in the SoVITS slot (and the reverse) is CHECKPOINT_WRONG_SLOT', async () => {
    const gpt = await open(load('s1-v2.ckpt'), 's1-v2.ckpt');
    const e = await errorOf(() => readSoVITS(gpt));
    expect(e.code).toBe('CHECKPOINT_WRONG_SLOT');
    expect(e.message).toMatch(/s1-v2\.ckpt is a GPT/);
    const sovits = await open(load('s2-v2.pth'), 's2-v2.pth');
    expect((await errorOf(() => readGPT(sovits))).code).toBe('CHECKPOINT_WRONG_SLOT');
    expect((await errorOf(() => readHubert(sovits))).code).toBe('CHECKPOINT_WRONG_SLOT');
    const hubert = await open(load('hubert/pytorch_model.bin'), 'pytorch_model.bin');
    expect((await errorOf(() => readRoberta(hubert))).code).toBe('CHECKPOINT_WRONG_SLOT');
  });

  it('a checkpoint of no known network says so', async () => {
    const dtypes = await open(load('dtypes.pt'), 'dtypes.pt');
    expect(stateDict(dtypes).size).toBeGreaterThan(0);
    const e = await errorOf(() => readSoVITS(dtypes));
    expect(e.code).toBe('CHECKPOINT_WRONG_SLOT');
    expect(e.message).toMatch(/does not look like a SoVITS/);
  });

  it('v2Pro is recognised as upstream decides: header 05, else its sv_emb weights (and config version)', async () => {
    const pro = readSoVITS(await open(load('s2-v2pro.pth'), 's2Gv2Pro.pth'));
    expect(pro.version).toBe('v2Pro');
    expect(pro.sovits.svDim).toBe(64);
    // Same weights without the header: still recognised by its speaker-verification parts.
    const plain = load('s2-v2pro.pth');
    plain[0] = 0x50;
    plain[1] = 0x4b;
    expect(readSoVITS(await open(plain, 's2Gv2Pro.pth')).version).toBe('v2Pro');
    // Header 06 on the same weights: v2ProPlus.
    const plus = load('s2-v2pro.pth');
    plus[1] = '6'.charCodeAt(0);
    expect(readSoVITS(await open(plus, 'x.pth')).version).toBe('v2ProPlus');
  });

  it('a Pro header on a file without the speaker-verification weights is CHECKPOINT_CONFIG_MISMATCH', async () => {
    const bytes = load('s2-v2.pth');
    bytes[0] = 0x30;
    bytes[1] = 0x36;
    const e = await errorOf(async () => readSoVITS(await open(bytes, 'x.pth')));
    expect(e.code).toBe('CHECKPOINT_CONFIG_MISMATCH');
    expect(e.message).toMatch(/v2ProPlus.*lacks the speaker-verification weights/);
  });

  it.each([
    ['02', /v3 \(by its header, but without v3\/v4 weights\)/],
    ['03', /v3 \(LoRA\) \(by its header, but without v3\/v4 weights\)/],
    ['04', /v4 \(LoRA\) \(by its header, but without v3\/v4 weights\)/],
    ['09', /unknown \(header 09\)/],
  ])('header %s on v2 weights is UNSUPPORTED_MODEL_VERSION', async (code, name) => {
    const bytes = load('s2-v2.pth');
    bytes[0] = code.charCodeAt(0);
    bytes[1] = code.charCodeAt(1);
    const e = await errorOf(async () => readSoVITS(await open(bytes, 'x.pth')));
    expect(e.code).toBe('UNSUPPORTED_MODEL_VERSION');
    expect(e.message).toMatch(name);
    expect(e.message).toMatch(/supports v1, v2, v2Pro, v2ProPlus, v3 and v4/);
  });
});

