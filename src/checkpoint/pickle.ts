// A pickle interpreter that never runs anything. Python's pickle is a little stack machine whose
// GLOBAL/REDUCE opcodes import and call arbitrary functions, which is how a malicious checkpoint
// runs code. Here every global is looked up in a whitelist of plain-data constructors supplied by
// the caller (tensor rebuilds, OrderedDict, ...); any other global stops the load with
// UNSAFE_PICKLE naming it, before anything is "called". Values become plain JS data:
//   None -> null, bool, int -> number (bigint beyond 2^53), float -> number, str -> string,
//   bytes -> Uint8Array, list and tuple -> array (tuples frozen), dict -> Map, set -> Set.
import { MynahError } from '../errors';

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | Map<PyValue, PyValue>
  | Set<PyValue>
  | object;

/** What a whitelisted global may do when the pickle applies it. */
export interface SafeGlobal {
  /** REDUCE: f(*args). */
  call?(args: PyValue[]): PyValue;
  /** NEWOBJ: cls.__new__(cls, *args). */
  create?(args: PyValue[]): PyValue;
}

export interface UnpickleOptions {
  /** For messages. */
  fileName: string;
  /** "module.name" -> handler. */
  globals: Map<string, SafeGlobal>;
  /** BINPERSID/PERSID: turns a persistent id (torch: a storage reference) into a value. */
  persistentLoad?(pid: PyValue): PyValue;
}

/**
 * Thrown when the pickle runs past the end of the bytes (the caller may retry with more). Typed,
 * so a pickle with no STOP or a length claiming more bytes than exist reports CHECKPOINT_TRUNCATED.
 */
export class PickleEndOfData extends MynahError {
  constructor() {
    super('CHECKPOINT_TRUNCATED', 'The checkpoint ends inside its data (a length or the end marker points past the bytes present). Copy or download the file again.');
  }
}

/** Longest integer a checkpoint's pickle may hold, bytes (PyTorch writes at most 8; a huge one would take minutes to decode). */
const MAX_LONG_BYTES = 64;

/** A dict-like object rebuilt from a whitelisted class's __dict__ (e.g. upstream's HParams). */
export const PLAIN_OBJECT_CLASS = Symbol('pythonClass');

const MARK = Symbol('mark');

const textDecoder = new TextDecoder('utf-8', { fatal: false });

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function toInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Little-endian two's-complement integer (LONG1 / LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return toInt(v);
}

export function unsafeGlobal(fileName: string, what: string): MynahError {
  return new MynahError(
    'UNSAFE_PICKLE',
    `${fileName} asks to run "${what}" while loading. Mynah only reads plain weights and refuses files that could run code on your computer. Use the file as GPT-SoVITS saved it, from a source you trust.`,
  );
}

function invalid(fileName: string, why: string): MynahError {
  return new MynahError('CHECKPOINT_INVALID', `${fileName} is not a readable checkpoint: ${why}.`);
}

/** Interprets one pickle starting at `start`; returns the value and the offset just past STOP. */
export function unpickle(data: Uint8Array, opts: UnpickleOptions, start = 0): { value: PyValue; end: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const bad = (why: string) => invalid(opts.fileName, why);
  let pos = start;
  const stack: (PyValue | typeof MARK)[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();

  const need = (n: number) => {
    if (pos + n > data.length) throw new PickleEndOfData();
  };
  const u8 = () => {
    need(1);
    return data[pos++];
  };
  const take = (n: number) => {
    need(n);
    const b = data.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const u16 = () => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = () => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 2 ** 32;
    pos += 8;
    return v;
  };
  const textInt = (t: string) => {
    if (t.length > 3 * MAX_LONG_BYTES || !/^\s*[-+]?\d+\s*$/.test(t)) throw bad('its pickle holds a malformed or huge integer');
    return toInt(BigInt(t.trim()));
  };
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new PickleEndOfData();
    const s = latin1(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    if (stack.length === 0) throw bad('its pickle stack underflows');
    const v = stack.pop()!;
    if (v === MARK) throw bad('its pickle pops a mark');
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw bad('its pickle has an empty stack');
    return v;
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) throw bad('its pickle has no mark');
    const items = stack.splice(m) as PyValue[];
    items.shift(); // the MARK itself
    return items;
  };
  const mark = () => {
    marks.push(stack.length);
    stack.push(MARK);
  };
  const lookup = (module: string, name: string): SafeGlobal => {
    const g = opts.globals.get(`${module}.${name}`);
    if (!g) throw unsafeGlobal(opts.fileName, `${module}.${name}`);
    return g;
  };
  const memoGet = (i: number) => {
    if (!memo.has(i)) throw bad(`its pickle reads memo ${i} before setting it`);
    return memo.get(i)!;
  };
  const asMap = (v: PyValue, op: string): Map<PyValue, PyValue> => {
    if (!(v instanceof Map)) throw bad(`${op} on something that is not a dict`);
    return v;
  };
  const asList = (v: PyValue, op: string): PyValue[] => {
    if (!Array.isArray(v) || Object.isFrozen(v)) throw bad(`${op} on something that is not a list`);
    return v;
  };
  const apply = (fn: PyValue, args: PyValue, how: 'call' | 'create'): PyValue => {
    const handler = fn as SafeGlobal;
    const f = handler?.[how];
    if (!f || !Array.isArray(args)) throw bad(`it applies a ${how === 'call' ? 'function' : 'class'} the reader does not support`);
    return f.call(handler, args);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw bad('its pickle protocol is newer than 5');
        break;
      case 0x95: // FRAME (a length hint only)
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw bad('its pickle ends with a malformed stack');
        return { value: pop(), end: pos };
      case 0x28: // MARK
        mark();
        break;
      case 0x30: // POP
        if (stack.pop() === MARK) marks.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      // ---- constants
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = u32();
        if (n > MAX_LONG_BYTES) throw bad(`its pickle holds a ${n}-byte integer`);
        stack.push(decodeLong(take(n)));
        break;
      }
      case 0x49: {
        // INT (text): also how protocols 0/1 spell booleans
        const s = line();
        if (s === '01') stack.push(true);
        else if (s === '00') stack.push(false);
        else stack.push(textInt(s));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(textInt(line().replace(/L$/, '')));
        break;
      case 0x46: // FLOAT (text)
        stack.push(Number(line().slice(0, 64)));
        break;
      case 0x47: {
        // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      // ---- strings and bytes
      case 0x58: // BINUNICODE
        stack.push(textDecoder.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(textDecoder.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(textDecoder.decode(take(u64())));
        break;
      case 0x54: // BINSTRING (Python 2 str)
        stack.push(latin1(take(i32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      // ---- containers
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        asList(top(), 'APPEND').push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        asList(top(), 'APPENDS').push(...items);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x74: // TUPLE
        stack.push(Object.freeze(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(Object.freeze([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(Object.freeze([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(Object.freeze([pop(), b, c]));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const m = new Map<PyValue, PyValue>();
        for (let i = 0; i + 1 < items.length; i += 2) m.set(items[i], items[i + 1]);
        stack.push(m);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        asMap(top(), 'SETITEM').set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const m = asMap(top(), 'SETITEMS');
        for (let i = 0; i + 1 < items.length; i += 2) m.set(items[i], items[i + 1]);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw bad('ADDITEMS on something that is not a set');
        for (const v of items) s.add(v);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      // ---- memo
      case 0x70: // PUT (text index)
        memo.set(Number(line()), top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
        stack.push(memoGet(Number(line())));
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      // ---- globals and object construction: only whitelisted handlers, never imports
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        stack.push(lookup(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw bad('STACK_GLOBAL without names');
        stack.push(lookup(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(apply(fn, args, 'call'));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        stack.push(apply(cls, args, 'create'));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX (keyword arguments are not supported by any whitelisted class)
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(kwargs instanceof Map) || kwargs.size > 0) throw bad('NEWOBJ_EX with keyword arguments');
        stack.push(apply(cls, args, 'create'));
        break;
      }
      case 0x69: {
        // INST "module\nname\n" (protocol 0): class applied to the marked items
        const g = lookup(line(), line());
        stack.push(apply(g, popMark(), 'call'));
        break;
      }
      case 0x6f: {
        // OBJ (protocol 1)
        const items = popMark();
        const cls = items.shift();
        stack.push(apply(cls ?? null, items, 'call'));
        break;
      }
      case 0x62: {
        // BUILD: obj.__setstate__(state) or obj.__dict__.update(state)
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;
      case 0x50: // PERSID (text id)
        stack.push(persistent(line()));
        break;
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        throw unsafeGlobal(opts.fileName, 'a copyreg extension code');
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        throw bad('it uses out-of-band pickle buffers');
      default:
        throw bad(`unknown pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }

  function persistent(pid: PyValue): PyValue {
    if (!opts.persistentLoad) throw bad('it refers to external data the reader does not know');
    return opts.persistentLoad(pid);
  }

  function build(obj: PyValue, state: PyValue): void {
    // (dict_state, slot_state) pairs come from classes with __slots__.
    const dictState = Array.isArray(state) && state.length === 2 ? state[0] : state;
    if (obj instanceof Map && (obj as Map<PyValue, PyValue> & { [PLAIN_OBJECT_CLASS]?: string })[PLAIN_OBJECT_CLASS]) {
      if (!(dictState instanceof Map)) throw bad('an object state that is not a dict');
      for (const [k, v] of dictState) obj.set(k, v);
      return;
    }
    // OrderedDict attributes (state_dict()'s `_metadata`: module versions) and tensor states carry
    // nothing the weights need; they are read and dropped.
    if (obj instanceof Map || (typeof obj === 'object' && obj !== null)) return;
    throw bad('BUILD on a plain value');
  }
}

/** Plain-data handlers every checkpoint may use. */
export function plainGlobals(): Map<string, SafeGlobal> {
  const g = new Map<string, SafeGlobal>();
  const orderedDict: SafeGlobal = {
    call(args) {
      const m = new Map<PyValue, PyValue>();
      const items = args[0];
      if (Array.isArray(items)) for (const kv of items) if (Array.isArray(kv) && kv.length === 2) m.set(kv[0], kv[1]);
      return m;
    },
  };
  orderedDict.create = orderedDict.call;
  g.set('collections.OrderedDict', orderedDict);
  // Protocol 2 spells bytes as _codecs.encode(text, "latin1").
  g.set('_codecs.encode', {
    call([text, encoding]) {
      if (typeof text !== 'string') throw new MynahError('CHECKPOINT_INVALID', 'a bytes value in the checkpoint is malformed.');
      if (encoding === 'latin1' || encoding === 'latin-1') return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
      return new TextEncoder().encode(text);
    },
  });
  for (const mod of ['builtins', '__builtin__']) {
    g.set(`${mod}.set`, { call: ([items]) => new Set(Array.isArray(items) ? items : []) });
    g.set(`${mod}.frozenset`, { call: ([items]) => new Set(Array.isArray(items) ? items : []) });
    g.set(`${mod}.bytearray`, { call: ([b]) => (b instanceof Uint8Array ? b.slice() : new Uint8Array(0)) });
  }
  return g;
}

/**
 * A whitelisted plain attribute-bag class (e.g. upstream's utils.HParams): rebuilt as a Map of its
 * __dict__, never as an instance of anything.
 */
export function plainObjectClass(qualifiedName: string): SafeGlobal {
  const create = () => Object.assign(new Map<PyValue, PyValue>(), { [PLAIN_OBJECT_CLASS]: qualifiedName });
  return { create, call: create };
}
