// The bad-input suite: hundreds of bad or extreme inputs, generated from tables, across every public
// entry point (engine, voice store and import, lock, content filter, watermark check, pack loading,
// converter and checkpoint readers), on the tiny pack in Node with one engine. Each case asserts its
// outcome: a MynahError with an UPPER_SNAKE code (never a raw TypeError/RangeError/ORT error), no hang,
// saved voices byte-identical afterwards and the engine still giving the baseline audio.
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import { MynahError } from '../../src/errors';
import type { LoadedPack } from '../../src/pack/fetch';
import { exportVoice, getVoice, importVoice, listVoicesReport, saveVoice, type Voice } from '../../src/store/voices';
import { lockVoice, unlockVoice } from '../../src/store/lock';
import { checkText as filterText, contentFilterConfig } from '../../src/safety/filter';
import { detectWatermark } from '../../src/safety/check';
import { unpickle } from '../../src/checkpoint/pickle';
import { openCheckpoint } from '../../src/checkpoint/open';
import { bytesSource } from '../../src/checkpoint/bytes';
import { convertToPack, type ConvertFiles } from '../../src/pack/convert';
import { MAX_TEXT_CHARS } from '../../src/validate';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { tinyPack } from '../helpers/tiny-pack';

const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;
const HANG_MS = 15_000;

let pack: LoadedPack;
let store: UseStore;
let engine: Engine;
let voice!: Voice;
let locked: Voice;
let baseline: string;
let snapshot: string;
const PASS = 'correct horse battery';

/** Every stored record, typed arrays as bytes: equal strings mean byte-identical voices. */
async function storeBytes(): Promise<string> {
  const ks = (await keys(store)).map(String).sort();
  const out: string[] = [];
  for (const k of ks) {
    const v = await get(k, store);
    out.push(`${k}=${JSON.stringify(v, (_, x) => (ArrayBuffer.isView(x) ? `${x.constructor.name}:${Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64')}` : x))}`);
  }
  return out.join('\n');
}

/** A short, seeded synthesis: its samples (watermarked, deterministic) as one string. */
async function speakBaseline(): Promise<string> {
  const parts: Float32Array[] = [];
  const r = await engine.synthesize('Hello there.', voice.id, { seed: 7, maxTokens: 4, stream: false, pauseSec: 0 }, (c) => void parts.push(c.pcm)).result;
  const all = parts.flatMap((p) => Array.from(p));
  if (!all.every(Number.isFinite)) throw new Error('baseline has non-finite samples');
  return `${r.segments.map((s) => s.tokens).join(',')}|${Buffer.from(Float32Array.from(all).buffer).toString('base64')}`;
}

type Outcome = { kind: 'ok'; value: unknown } | { kind: 'typed'; code: string; message: string } | { kind: 'untyped'; error: unknown } | { kind: 'hang' };

async function outcome(run: () => unknown): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<Outcome>((ok) => (timer = setTimeout(() => ok({ kind: 'hang' }), HANG_MS)));
  const work = (async (): Promise<Outcome> => {
    try {
      return { kind: 'ok', value: await run() };
    } catch (e) {
      if (e instanceof MynahError) return { kind: 'typed', code: e.code, message: e.message };
      return { kind: 'untyped', error: e };
    }
  })();
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

const tally = { cases: 0, typed: 0, ok: 0, untyped: 0, hangs: 0, garbage: 0 };

interface Case {
  name: string;
  run: () => unknown;
  /** Expected code(s); 'ok' = must succeed (then `check` validates the value). */
  expect: string | string[];
  check?: (value: unknown) => void;
  /** Engine cases also re-run the baseline. */
  engine?: boolean;
}

function runTable(title: string, cases: Case[]) {
  describe(title, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      tally.cases++;
      const o = await outcome(c.run);
      if (o.kind === 'hang') tally.hangs++;
      if (o.kind === 'untyped') tally.untyped++;
      if (o.kind === 'typed') tally.typed++;
      if (o.kind === 'ok') tally.ok++;
      expect(o.kind, o.kind === 'untyped' ? String((o.error as Error)?.stack ?? o.error) : '').not.toBe('hang');
      expect(o.kind === 'untyped' ? String((o.error as Error)?.stack ?? o.error) : 'typed').toBe('typed');
      const want = [c.expect].flat();
      if (want.includes('ok') && o.kind === 'ok') {
        c.check?.(o.value);
      } else {
        expect(o.kind).toBe('typed');
        if (o.kind !== 'typed') return;
        expect(want).toContain(o.code);
        expect(o.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
        expect(o.message.length).toBeGreaterThan(20);
      }
      expect(await storeBytes()).toBe(snapshot);
      if (c.engine) expect(await speakBaseline()).toBe(baseline);
    });
  });
}

// ---- inputs ----

const sine = (seconds: number, rate = 16000) => Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate));
const pcm = (sampleRate: unknown, channels: unknown) => ({ sampleRate, channels }) as never;
const withValue = (a: Float32Array, i: number, x: number) => {
  const b = a.slice();
  b[i] = x;
  return b;
};

const NUMBERISH: unknown[] = [NaN, Infinity, -Infinity, '1', null, true, {}, []];

const BAD_OPTIONS: Record<string, unknown[]> = {
  speed: [...NUMBERISH, 0, -1, 0.1, 5, 1e308],
  noiseScale: [...NUMBERISH, -0.1, 11, 1e300],
  pauseSec: [...NUMBERISH, -1, 1e6, 11],
  maxTokens: [...NUMBERISH, 0, -1, 1.5, 1501, 1e9],
  topK: [...NUMBERISH, 0, -1, 1.5, 1e12],
  topP: [...NUMBERISH, 0, -0.1, 1.1],
  temperature: [...NUMBERISH, 0, -1, 101],
  repetitionPenalty: [...NUMBERISH, 0, -1, 1e9],
  seed: [...NUMBERISH, -1, 1.5, 2 ** 32, 2 ** 53],
  lang: ['fr', '', 'EN', 1, null, {}, 'auto '],
  cut: ['cut9', '', 1, null, 'CUT5'],
  maxSegmentChars: [...NUMBERISH, 0, -1, 1.5, 5, 1e9],
  stream: [
    { minChunk: 1, overlap: 100 },
    { minChunk: 0, overlap: 0 },
    { minChunk: 16, overlap: 16 },
    { minChunk: NaN, overlap: 2 },
    { minChunk: 1e9, overlap: 1 },
    { minChunk: 16 },
    { minChunk: 16, overlap: -1 },
    { minChunk: 16.5, overlap: 1 },
    true,
    'yes',
    null,
    {},
  ],
  passphrase: [1, {}, '\uD800', 'x'.repeat(2000)],
};

const label = (x: unknown) => {
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 20 ? `${x.slice(0, 8)}…(${x.length})` : x);
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
};

/** Stands for the cloned voice's id, which exists only once beforeAll has run. */
const VID = '\u0000the-voice';
const speak = (text: unknown, id: unknown, options: unknown) => () => engine.synthesize(text as string, (id === VID ? voice.id : id) as string, options as never, () => {}).result;

// Bytes of a pickle, and crafted ones.
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const PICKLES: [string, number[]][] = [
  ['LONG4 with a 1 MB integer', [0x80, 2, 0x8b, ...u32(1 << 20), ...new Array(1 << 20).fill(7), 0x2e]],
  ['BINUNICODE claiming 2 GB', [0x80, 2, 0x58, ...u32(0x7fffffff), 0x41, 0x2e]],
  ['BINUNICODE8 claiming 2^52 bytes', [0x80, 4, 0x8d, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x2e]],
  ['no STOP', [0x80, 2, 0x4b, 1]],
  ['empty', []],
  ['STOP on an empty stack', [0x2e]],
  ['unknown opcode', [0x80, 2, 0xff, 0x2e]],
  ['protocol 9', [0x80, 9, 0x2e]],
  ['MARK then STOP', [0x28, 0x2e]],
  ['POP underflow', [0x30, 0x2e]],
  ['memo get before put', [0x68, 5, 0x2e]],
  ['LONG text with a 10,000-digit number', [0x4c, ...Array.from('9'.repeat(10000), (c) => c.charCodeAt(0)), 0x0a, 0x2e]],
  ['INT text not a number', [0x49, 0x78, 0x79, 0x0a, 0x2e]],
  ['GLOBAL os.system', [0x63, ...Array.from('os\nsystem\n', (c) => c.charCodeAt(0)), 0x2e]],
  ['SETITEM on a list', [0x5d, 0x4b, 1, 0x4b, 2, 0x73, 0x2e]],
  ['APPEND on a dict', [0x7d, 0x4b, 1, 0x61, 0x2e]],
  ['BINPERSID without loader', [0x4b, 1, 0x51, 0x2e]],
  ['REDUCE of an int', [0x4b, 1, 0x29, 0x52, 0x2e]],
];

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

async function digestB64(parts: unknown[]): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(parts)));
  return Buffer.from(d).toString('base64');
}
/** A lock record edited and re-signed, as a forger who knows the (secret-free) digest format would. */
async function forge(v: Voice, edit: Partial<NonNullable<Voice['locked']>>): Promise<Voice> {
  const l = { ...v.locked!, ...edit };
  const digest = await digestB64(['mynah-voice-lock', l.v, v.id, l.kdf, l.iterations, l.salt, l.iv, l.ciphertext, l.check]);
  return { ...v, locked: { ...l, digest } };
}

let server: Server;
let hangingUrl: string;

beforeAll(async () => {
  pack = await tinyPack();
  store = createStore('mynah-bad-input', 'voices');
  engine = new Engine(ort, { scope, voices: store });
  await engine.init({ backend: 'wasm' });
  await engine.loadPack(pack);
  voice = (await engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en', name: 'Reader' }).result).voice;
  locked = await lockVoice({ ...voice, id: 'locked-voice', name: 'Locked' }, PASS);
  await saveVoice(locked, store);
  baseline = await speakBaseline();
  snapshot = await storeBytes();
  // A server that accepts connections and never answers.
  server = createServer(() => {});
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  hangingUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pack.json`;
});

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await engine?.dispose();
  console.log(`bad-input suite: ${tally.cases} cases, ${tally.typed} typed errors, ${tally.ok} accepted as valid, ${tally.untyped} untyped, ${tally.hangs} hangs, ${tally.garbage} non-finite outputs`);
});

// ---- tables ----

runTable(
  'synthesize: options',
  Object.entries(BAD_OPTIONS).flatMap(([field, values]) =>
    values.map((x) => ({ name: `${field} = ${label(x)}`, run: () => speak('Hello there.', VID, { seed: 1, [field]: x })(), expect: 'OPTIONS_INVALID', engine: true })),
  ),
);

runTable('synthesize: options object, text and voice id', [
  ...['string', 5, true, [], () => 1].map((o) => ({ name: `options = ${label(o)}`, run: () => speak('Hello.', VID, o)(), expect: 'OPTIONS_INVALID', engine: true })),
  ...[1, null, undefined, {}, [], true].map((t) => ({ name: `text = ${label(t)}`, run: () => speak(t, VID, {})(), expect: 'TEXT_INVALID', engine: true })),
  { name: `text of ${MAX_TEXT_CHARS + 1} characters`, run: speak('a'.repeat(MAX_TEXT_CHARS + 1), VID, {}), expect: 'TEXT_TOO_LONG', engine: true },
  { name: 'text of 2,000,000 characters', run: speak('word '.repeat(400_000), VID, {}), expect: 'TEXT_TOO_LONG', engine: true },
  { name: 'text with a lone surrogate', run: speak('Hello \uD800 there.', VID, {}), expect: 'TEXT_INVALID', engine: true },
  ...['', '   ', '!!!???', '\u{1F600}\u{1F600}', '\u0000\u0001', '한국어'].map((t) => ({ name: `unreadable text ${label(t)}`, run: speak(t, VID, { seed: 1 }), expect: 'TEXT_EMPTY', engine: true })),
  ...['', 1, null, {}, 'x'.repeat(200), '\uDC00'].map((id) => ({ name: `voice id = ${label(id)}`, run: speak('Hello.', id, {}), expect: 'VOICE_ID_INVALID', engine: true })),
  { name: 'voice id not in the library', run: speak('Hello.', 'no-such-voice', {}), expect: 'VOICE_NOT_FOUND', engine: true },
  { name: 'locked voice without passphrase', run: speak('Hello.', 'locked-voice', {}), expect: 'VOICE_LOCKED', engine: true },
  { name: 'chunk sink not a function', run: () => engine.synthesize('Hello.', voice.id, {}, 5 as never).result, expect: 'OPTIONS_INVALID', engine: true },
  ...['x', NaN, -1, 1e308, 1.5, null].map((id) => ({ name: `cancel(${label(id)}) is false`, run: () => engine.cancel(id as never), expect: 'ok', check: (r: unknown) => expect(r).toBe(false), engine: true })),
]);

const GOOD = referenceSpeech();
const ch = GOOD.channels[0];
const clone = (req: unknown) => () => engine.cloneVoice(req as never).result;
const req = (over: Record<string, unknown>) => ({ audio: GOOD, promptText: REFERENCE_TEXT, promptLang: 'en', ...over });

runTable('cloneVoice', [
  ...[1, 0, -16000, NaN, Infinity, 16000.5, 1e9, '16000', null, 7999, 400_000].map((sr) => ({ name: `sampleRate = ${label(sr)}`, run: clone(req({ audio: pcm(sr, [ch]) })), expect: 'AUDIO_INVALID', engine: true })),
  { name: '10 samples at 1 Hz', run: clone(req({ audio: pcm(1, [new Float32Array(10)]) })), expect: 'AUDIO_INVALID', engine: true },
  ...(
    [
      ['no channels', []],
      ['channels null', null],
      ['channels a string', 'x'],
      ['a plain array channel', [[1, 2, 3]]],
      ['a Float64Array channel', [new Float64Array(16000)]],
      ['an empty channel', [new Float32Array(0)]],
      ['nine channels', Array.from({ length: 9 }, () => ch)],
      ['a NaN sample', [withValue(ch, 1000, NaN)]],
      ['an infinite sample', [withValue(ch, 5, Infinity)]],
      ['601 s of audio', [new Float32Array(8000 * 601)]],
    ] as [string, unknown][]
  ).map(([name, c]) => ({ name, run: clone(req({ audio: pcm(8000, c) })), expect: 'AUDIO_INVALID', engine: true })),
  ...[null, 1, 'x', {}, []].map((a) => ({ name: `audio = ${label(a)}`, run: clone(req({ audio: a })), expect: 'AUDIO_INVALID', engine: true })),
  ...['', '   ', 1, null, 'x'.repeat(1001), '\uD800 text'].map((t) => ({ name: `promptText = ${label(t)}`, run: clone(req({ promptText: t })), expect: 'CLONE_INVALID', engine: true })),
  ...['fr', 1, null, '', 'EN'].map((l) => ({ name: `promptLang = ${label(l)}`, run: clone(req({ promptLang: l })), expect: 'CLONE_INVALID', engine: true })),
  ...[1, {}, 'x'.repeat(201), '\uDFFF'].map((n) => ({ name: `name = ${label(n)}`, run: clone(req({ name: n })), expect: 'CLONE_INVALID', engine: true })),
  { name: 'five extra recordings (six in all)', run: clone(req({ extraAudio: Array.from({ length: 5 }, () => GOOD) })), expect: 'TOO_MANY_REFERENCES', engine: true },
  { name: 'extraAudio a string', run: clone(req({ extraAudio: 'x' })), expect: 'CLONE_INVALID', engine: true },
  { name: 'extraAudio [null]', run: clone(req({ extraAudio: [null] })), expect: 'AUDIO_INVALID', engine: true },
  { name: 'extra recording at 1 Hz', run: clone(req({ extraAudio: [pcm(1, [ch])] })), expect: 'AUDIO_INVALID', engine: true },
  ...[null, 1, 'x', undefined].map((r) => ({ name: `request = ${label(r)}`, run: clone(r), expect: 'CLONE_INVALID', engine: true })),
  { name: 'consent not given', run: clone(req({ consent: { given: false, at: 'x', statement: '' } })), expect: 'CONSENT_INVALID', engine: true },
  { name: '0.5 s of audio', run: clone(req({ audio: pcm(16000, [sine(0.5)]) })), expect: ['REF_TOO_SHORT', 'AUDIO_TOO_SHORT'], engine: true },
  { name: 'silence', run: clone(req({ audio: pcm(16000, [new Float32Array(16000 * 5)]) })), expect: 'AUDIO_SILENT', engine: true },
  { name: '70 s of audio', run: clone(req({ audio: pcm(8000, [sine(70, 8000)]) })), expect: 'AUDIO_TOO_LONG', engine: true },
]);

runTable('addVoiceReferences', [
  ...['', 1, null].map((id) => ({ name: `voice id = ${label(id)}`, run: () => engine.addVoiceReferences(id as never, [GOOD]).result, expect: 'VOICE_ID_INVALID', engine: true })),
  { name: 'not an array', run: () => engine.addVoiceReferences(voice.id, GOOD as never).result, expect: 'AUDIO_INVALID', engine: true },
  { name: 'empty list', run: () => engine.addVoiceReferences(voice.id, []).result, expect: 'AUDIO_EMPTY', engine: true },
  { name: 'five more recordings', run: () => engine.addVoiceReferences(voice.id, Array.from({ length: 5 }, () => GOOD)).result, expect: 'TOO_MANY_REFERENCES', engine: true },
  { name: 'a recording at -16000 Hz', run: () => engine.addVoiceReferences(voice.id, [pcm(-16000, [ch])]).result, expect: 'AUDIO_INVALID', engine: true },
  { name: 'a locked voice', run: () => engine.addVoiceReferences('locked-voice', [GOOD]).result, expect: 'VOICE_LOCKED', engine: true },
  { name: 'a missing voice', run: () => engine.addVoiceReferences('missing', [GOOD]).result, expect: 'VOICE_NOT_FOUND', engine: true },
]);

// Voice files: one valid export, mutated field by field.
const exported = () => JSON.parse(exportVoice(voice)) as Record<string, unknown>;
const b64 = (a: Int32Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const IMPORT_MUTATIONS: [string, (o: Record<string, unknown>) => unknown][] = [
  ['created 12345', (o) => ({ ...o, created: 12345 })],
  ['created "yesterday"', (o) => ({ ...o, created: 'yesterday' })],
  ['schema 2', (o) => ({ ...o, schema: 2 })],
  ['no schema', (o) => ({ ...o, schema: undefined })],
  ['id empty', (o) => ({ ...o, id: '' })],
  ['id a number', (o) => ({ ...o, id: 5 })],
  ['name a number', (o) => ({ ...o, name: 5 })],
  ['name with a lone surrogate', (o) => ({ ...o, name: 'a\uD800' })],
  ['modelVersion v9', (o) => ({ ...o, modelVersion: 'v9' })],
  ['promptCodes a number', (o) => ({ ...o, promptCodes: 5 })],
  ['promptCodes negative', (o) => ({ ...o, promptCodes: b64(Int32Array.of(-1, 2, 3)) })],
  ['promptCodes ≥ 65536', (o) => ({ ...o, promptCodes: b64(Int32Array.of(1, 70000)) })],
  ['promptCodes 7 bytes', (o) => ({ ...o, promptCodes: Buffer.from([1, 2, 3, 4, 5, 6, 7]).toString('base64') })],
  ['promptCodes not base64', (o) => ({ ...o, promptCodes: '%%%' })],
  ['promptPhones empty', (o) => ({ ...o, promptPhones: '' })],
  ['promptPhones out of range', (o) => ({ ...o, promptPhones: b64(Int32Array.of(5000)) })],
  ['ge with NaN', (o) => ({ ...o, ge: b64(Float32Array.of(NaN, 1)) })],
  ['ge empty', (o) => ({ ...o, ge: '' })],
  ['ge an array', (o) => ({ ...o, ge: [1, 2, 3] })],
  ['refGes of the wrong length', (o) => ({ ...o, refGes: b64(new Float32Array(voice.ge.length + 1)) })],
  ['promptBert of the wrong length', (o) => ({ ...o, promptBert: b64(new Float32Array(voice.promptPhones.length + 1)) })],
  ['refMeta missing', (o) => ({ ...o, refMeta: undefined })],
  ['refMeta.durationSec null', (o) => ({ ...o, refMeta: { durationSec: null } })],
  ['auxRefs a string', (o) => ({ ...o, auxRefs: 'x' })],
  ['consent not given', (o) => ({ ...o, consent: { given: false, at: 'x', statement: '' } })],
  ['lock record partial', (o) => ({ ...o, locked: { v: 1 } })],
  ['lock record with a numeric salt', (o) => ({ ...o, locked: { v: 1, kdf: 'PBKDF2-SHA256', iterations: 600000, salt: 5, iv: 'AA==', ciphertext: 'AA==', check: 'AA==', digest: 'AA==' } })],
  ['kind missing', (o) => ({ ...o, kind: undefined })],
  ['an array', () => [1, 2]],
  ['null', () => null],
  ['a string', () => 'voice'],
];

runTable('importVoice', [
  ...IMPORT_MUTATIONS.map(([name, mutate]) => ({ name, run: () => importVoice(JSON.stringify(mutate(exported())), store), expect: 'VOICE_INVALID', engine: true })),
  ...['not json', '', '{', 5, null, {}].map((t) => ({ name: `file = ${label(t)}`, run: () => importVoice(t as never, store), expect: 'VOICE_INVALID', engine: true })),
  {
    name: 'codes in range of the schema but not of the pack: imported, then refused by synthesis, then deleted',
    run: async () => {
      const o = { ...exported(), id: 'outside-pack', promptCodes: b64(Int32Array.of(1, 2, 5000)) };
      const v = await importVoice(JSON.stringify(o), store);
      try {
        await speak('Hello.', v.id, {})();
      } finally {
        await del(v.id, store);
      }
    },
    expect: 'VOICE_INVALID',
    engine: true,
  },
]);

// Records written straight into the store (another schema, damaged, hand-edited).
const STORED: [string, () => unknown][] = [
  ['created 12345', () => ({ ...voice, created: 12345 })],
  ['schema 7', () => ({ schema: 7, id: 'x' })],
  ['null', () => null],
  ['a number', () => 5],
  ['a string', () => 'voice'],
  ['an empty object', () => ({})],
  ['ge a Float64Array', () => ({ ...voice, ge: new Float64Array(4) })],
  ['ge with NaN', () => ({ ...voice, ge: Float32Array.of(NaN) })],
  ['codes a plain array', () => ({ ...voice, promptCodes: [1, 2] })],
  ['id of another voice', () => ({ ...voice, id: 'someone-else' })],
];

runTable(
  'stored records of another schema or damaged',
  STORED.map(([name, record]) => ({
    name,
    run: async () => {
      const key = `bad-${name}`;
      await set(key, record(), store);
      try {
        const { voices, skipped } = await listVoicesReport(store);
        // The library still lists every good voice and reports the bad one.
        expect(voices.map((v) => v.id).sort()).toEqual([voice.id, 'locked-voice'].sort());
        expect(skipped.map((s) => s.key)).toEqual([key]);
        await speak('Hello.', key, {})();
      } finally {
        await del(key, store);
      }
    },
    expect: ['VOICE_INVALID', 'VOICE_ID_INVALID'],
    engine: true,
  })),
);

runTable('lock records and passphrases', [
  ...[
    ['10M iterations (re-signed)', { iterations: 10_000_000 }],
    ['1.5 iterations (re-signed)', { iterations: 1.5 }],
    ['1000 iterations (re-signed)', { iterations: 1000 }],
    ['zeroed verifier (re-signed)', { check: Buffer.alloc(16).toString('base64') }],
    ['8-byte verifier (re-signed)', { check: Buffer.alloc(8, 1).toString('base64') }],
    ['8-byte salt (re-signed)', { salt: Buffer.alloc(8, 1).toString('base64') }],
    ['5-byte IV (re-signed)', { iv: Buffer.alloc(5, 1).toString('base64') }],
    ['kdf scrypt (re-signed)', { kdf: 'scrypt' as never }],
    ['iterations edited, checksum not', null],
  ].map(([name, edit]) => ({
    name: String(name),
    run: async () => {
      const started = performance.now();
      const v = edit ? await forge(locked, edit as never) : { ...locked, locked: { ...locked.locked!, iterations: 700_000 } };
      try {
        await unlockVoice(v, PASS);
      } finally {
        // Refused before any key derivation: no PBKDF2 rounds spent.
        expect(performance.now() - started).toBeLessThan(200);
      }
    },
    expect: 'VOICE_TAMPERED',
  })),
  ...['\uD800', 'pass\uDC00word', 1, null, {}, 'x'.repeat(5000)].map((p) => ({ name: `unlock passphrase = ${label(p)}`, run: () => unlockVoice(locked, p as never), expect: 'PASSPHRASE_INVALID' })),
  { name: 'lone surrogate does not unlock with another lone surrogate', run: () => lockVoice(voice, 'passphrase\uD800'), expect: 'PASSPHRASE_INVALID' },
  ...[1.5, 10_000_000, NaN, 1].map((n) => ({ name: `lock iterations = ${label(n)}`, run: () => lockVoice(voice, PASS, n as never), expect: 'OPTIONS_INVALID' })),
  { name: 'synthesize with a lone-surrogate passphrase', run: speak('Hello.', 'locked-voice', { passphrase: 'a\uD800' }), expect: 'OPTIONS_INVALID', engine: true },
]);

runTable('content filter options', [
  ...(
    [
      ['deny not an array', { deny: 'word' }],
      ['deny with 10,001 terms', { deny: Array.from({ length: 10_001 }, (_, i) => `t${i}`) }],
      ['empty term', { deny: [''] }],
      ['term of 201 characters', { deny: ['x'.repeat(201)] }],
      ['term a number', { deny: [5] }],
      ['entry term a number', { deny: [{ term: 1 }] }],
      ['allowIn of 51 words', { deny: [{ term: 'ab', allowIn: Array.from({ length: 51 }, () => 'abc') }] }],
      ['rules not an array', { rules: 'x' }],
      ['rule without id', { rules: [{ reason: 'r', test: /x/ }] }],
      ['rule test a string', { rules: [{ id: 'a', reason: 'r', test: 'x' }] }],
      ['101 rules', { rules: Array.from({ length: 101 }, (_, i) => ({ id: `r${i}`, reason: 'r', test: /x/ })) }],
      ['enabled "yes"', { enabled: 'yes' }],
      ['useDefaultList 1', { useDefaultList: 1 }],
      ['term with a lone surrogate', { deny: ['a\uD800'] }],
    ] as [string, unknown][]
  ).map(([name, cfg]) => ({ name, run: () => contentFilterConfig(cfg as never), expect: 'FILTER_INVALID' })),
  {
    name: '10,000 deny terms on 20,000 characters: quick',
    run: () => {
      const cfg = contentFilterConfig({ deny: Array.from({ length: 10_000 }, (_, i) => `term${i}x`) });
      const text = 'the quick brown fox jumps over the lazy dog term1 term22x '.repeat(345).slice(0, 20_000);
      const t = performance.now();
      const r = filterText(text, cfg);
      return { ms: performance.now() - t, r };
    },
    expect: 'ok',
    check: (x) => {
      const { ms, r } = x as { ms: number; r: ReturnType<typeof filterText> };
      expect(r.ok).toBe(false);
      expect(ms).toBeLessThan(3000);
    },
  },
  { name: 'engine created with a bad filter', run: () => new Engine(ort, { scope, voices: store }).init({ backend: 'wasm', contentFilter: { deny: [5] } as never }), expect: 'FILTER_INVALID' },
  ...(
    [
      ['backend "cuda"', { backend: 'cuda' }],
      ['precision "fp8"', { precision: 'fp8' }],
      ['watermarkKey empty', { watermarkKey: '' }],
      ['watermarkKey a number', { watermarkKey: 5 }],
    ] as [string, unknown][]
  ).map(([name, o]) => ({ name: `engine option ${name}`, run: () => new Engine(ort, { scope, voices: store }).init(o as never), expect: 'OPTIONS_INVALID' })),
]);

runTable('watermark check', [
  ...[null, 5, 'x', {}, [], { channels: 'x', sampleRate: 16000 }, { sampleRate: 1e9, channels: [ch] }, { sampleRate: 16000, channels: [withValue(ch, 3, NaN)] }, { sampleRate: NaN, channels: [ch] }].map((a) => ({
    name: `audio = ${label(a)}`,
    run: () => detectWatermark(a as never),
    expect: ['AUDIO_INVALID', 'AUDIO_RATE'],
  })),
  ...[{ maxSeconds: 0 }, { maxSeconds: NaN }, { maxSeconds: -1 }, { maxSeconds: Infinity }, { key: '' }, { key: 5 }, 'x'].map((o) => ({ name: `options = ${label(o)}`, run: () => detectWatermark(GOOD, o as never), expect: 'OPTIONS_INVALID' })),
  ...[new Uint8Array(0), new Uint8Array(44), Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff), new TextEncoder().encode('RIFF\x10\x00\x00\x00WAVEfmt ')].map((b, i) => ({
    name: `file bytes #${i} (${b.length} bytes)`,
    run: () => detectWatermark(b),
    expect: ['AUDIO_INVALID', 'AUDIO_DECODE_FAILED', 'AUDIO_UNSUPPORTED', 'AUDIO_SILENT', 'AUDIO_EMPTY', 'AUDIO_CORRUPT', 'AUDIO_DECODE', 'AUDIO_FORMAT', 'ok'],
  })),
]);

const rand = seeded(17);
const FIXTURE = new URL('../fixtures/checkpoints/', import.meta.url);
const zipFixture = new Uint8Array(readFileSync(new URL('dtypes.pt', FIXTURE)));
const legacyFixture = new Uint8Array(readFileSync(new URL('dtypes-legacy.pt', FIXTURE)));
const CKPT_CODES = ['CHECKPOINT_INVALID', 'CHECKPOINT_TRUNCATED', 'UNSAFE_PICKLE', 'CHECKPOINT_UNSUPPORTED', 'CHECKPOINT_UNKNOWN_FORMAT', 'CHECKPOINT_FORMAT'];
const corrupt = (b: Uint8Array, n: number) => {
  const c = b.slice();
  for (let i = 0; i < n; i++) c[Math.floor(rand() * c.length)] = Math.floor(rand() * 256);
  return c;
};

runTable('checkpoint readers', [
  ...PICKLES.map(([name, bytes]) => ({ name: `pickle: ${name}`, run: () => unpickle(Uint8Array.from(bytes), { fileName: 'x.ckpt', globals: new Map() }), expect: CKPT_CODES })),
  ...Array.from({ length: 20 }, (_, i) => {
    const bytes = Uint8Array.from({ length: 16 + Math.floor(rand() * 512) }, () => Math.floor(rand() * 256));
    return { name: `pickle: random bytes #${i}`, run: () => unpickle(bytes, { fileName: 'x.ckpt', globals: new Map() }), expect: CKPT_CODES };
  }),
  ...[0.1, 0.3, 0.5, 0.7, 0.9, 0.99].flatMap((f) => [
    { name: `torch zip cut at ${f * 100}%`, run: () => openCheckpoint(bytesSource(zipFixture.slice(0, Math.floor(zipFixture.length * f)), 'x.pt')), expect: CKPT_CODES },
    { name: `legacy torch cut at ${f * 100}%`, run: () => openCheckpoint(bytesSource(legacyFixture.slice(0, Math.floor(legacyFixture.length * f)), 'x.pt')), expect: CKPT_CODES },
  ]),
  ...Array.from({ length: 8 }, (_, i) => ({
    name: `torch zip with 16 random bytes changed #${i}`,
    run: async () => {
      const ck = await openCheckpoint(bytesSource(corrupt(zipFixture, 16), 'x.pt'));
      return ck;
    },
    expect: [...CKPT_CODES, 'ok'],
  })),
  ...[new Uint8Array(0), new Uint8Array(3), new TextEncoder().encode('hello world, not a checkpoint')].map((b, i) => ({ name: `not a checkpoint #${i}`, run: () => openCheckpoint(bytesSource(b, 'x.pt')), expect: CKPT_CODES })),
]);

const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
runTable('converter', [
  ...[null, 5, {}, { gpt: 'x', sovits: 'x', hubert: 'x' }].map((f) => ({ name: `files = ${label(f)}`, run: () => convertToPack(f as never), expect: 'CONVERT_INVALID' })),
  { name: 'an unknown slot', run: () => convertToPack({ gpt: blob(zipFixture), sovits: blob(zipFixture), hubert: blob(zipFixture), extra: blob(zipFixture) } as never), expect: 'CONVERT_INVALID' },
  { name: 'an empty GPT file', run: () => convertToPack({ gpt: blob(new Uint8Array(0)), sovits: blob(zipFixture), hubert: blob(zipFixture) }), expect: 'CHECKPOINT_TRUNCATED' },
  { name: 'a byte source claiming 5 GB', run: () => convertToPack({ gpt: { name: 'g', size: 5 * 1024 ** 3, read: async () => new Uint8Array(0) }, sovits: blob(zipFixture), hubert: blob(zipFixture) } as ConvertFiles), expect: 'CHECKPOINT_TOO_LARGE' },
  { name: 'three unrelated tensors files', run: () => convertToPack({ gpt: blob(zipFixture), sovits: blob(zipFixture), hubert: blob(zipFixture) }), expect: [...CKPT_CODES, 'CHECKPOINT_MISMATCH', 'CHECKPOINT_NOT_GPT', 'CHECKPOINT_NOT_SOVITS', 'MODEL_VERSION_UNKNOWN', 'UNSUPPORTED_MODEL_VERSION', 'CHECKPOINT_WRONG_SLOT'] },
  { name: 'garbage SoVITS file', run: () => convertToPack({ gpt: blob(zipFixture), sovits: blob(corrupt(new Uint8Array(4096), 4096)), hubert: blob(zipFixture) }), expect: CKPT_CODES },
]);

// In-memory packs, damaged one way each. The good pack stays loaded throughout.
function damaged(edit: (p: { manifest: Record<string, unknown>; files: Map<string, Uint8Array> }) => unknown): () => unknown {
  return () => {
    const p = { manifest: structuredClone(pack.manifest) as unknown as Record<string, unknown>, files: new Map(pack.files) };
    const out = edit(p) ?? p;
    return engine.loadPack(out as never);
  };
}
const dims = (p: { manifest: Record<string, unknown> }) => p.manifest.dims as { t2s: Record<string, unknown>; sovits: Record<string, unknown> };

runTable('loadPack', [
  { name: 'dims missing', run: damaged((p) => void (p.manifest.dims = undefined)), expect: 'PACK_CORRUPT', engine: true },
  { name: 'dims.t2s missing', run: damaged((p) => void (dims(p).t2s = undefined as never)), expect: 'PACK_CORRUPT', engine: true },
  { name: 't2s layers 99', run: damaged((p) => void (dims(p).t2s.layers = 99)), expect: 'PACK_CORRUPT', engine: true },
  { name: 't2s layers 1.5', run: damaged((p) => void (dims(p).t2s.layers = 1.5)), expect: 'PACK_CORRUPT', engine: true },
  { name: 'sovits gin -1', run: damaged((p) => void (dims(p).sovits.gin = -1)), expect: 'PACK_CORRUPT', engine: true },
  ...[0, NaN, 1, -32000, '32000', 1e9].map((sr) => ({ name: `sampleRate ${label(sr)}`, run: damaged((p) => void (p.manifest.sampleRate = sr)), expect: 'PACK_CORRUPT', engine: true })),
  { name: 'version v9', run: damaged((p) => void (p.manifest.version = 'v9')), expect: 'PACK_CORRUPT', engine: true },
  { name: 'a file missing', run: damaged((p) => void p.files.delete((p.manifest.files as { name: string }[])[0].name)), expect: 'PACK_CORRUPT', engine: true },
  { name: 'a file truncated', run: damaged((p) => void p.files.set((p.manifest.files as { name: string }[])[0].name, new Uint8Array(10))), expect: 'PACK_CORRUPT', engine: true },
  {
    name: 'the decoder slot holds the HuBERT graph',
    run: damaged((p) => {
      const files = p.manifest.files as { role: string; name: string; bytes: number }[];
      const hub = files.find((f) => f.role === 'hubert')!;
      const dec = files.find((f) => f.role === 't2s-decoder')!;
      p.files.set(dec.name, pack.files.get(hub.name)!);
      dec.bytes = hub.bytes;
    }),
    expect: 'PACK_CORRUPT',
    engine: true,
  },
  { name: 'files not a Map', run: damaged((p) => ({ ...p, files: {} })), expect: 'PACK_CORRUPT', engine: true },
  ...[null, 5, {}, []].map((x) => ({ name: `pack = ${label(x)}`, run: () => engine.loadPack(x as never), expect: ['PACK_CORRUPT', 'PACK_URL_INVALID'], engine: true })),
  ...['', 'not a url', 'packs/tiny/pack.json', 'ftp://example.com/pack.json', 'javascript:alert(1)', 'x'.repeat(5000)].map((u) => ({ name: `url ${label(u)}`, run: () => engine.loadPack(u), expect: 'PACK_URL_INVALID', engine: true })),
  { name: 'a server that accepts and never answers: times out', run: () => engine.loadPack(hangingUrl, undefined, { timeoutMs: 300 }), expect: 'PACK_FETCH_TIMEOUT', engine: true },
  {
    name: 'a server that accepts and never answers: cancelLoad',
    run: () => {
      const p = engine.loadPack(hangingUrl);
      setTimeout(() => engine.cancelLoad(), 100);
      return p;
    },
    expect: 'CANCELLED',
    engine: true,
  },
  { name: 'nothing listening', run: () => engine.loadPack('http://127.0.0.1:1/pack.json', undefined, { timeoutMs: 2000 }), expect: ['PACK_FETCH_FAILED', 'PACK_FETCH_TIMEOUT'], engine: true },
]);

describe('long work is cooperative', () => {
  it.each([50_000, MAX_TEXT_CHARS])('%i characters: first audio comes early and cancel() lands within a fragment', async (n) => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(n / 45)).slice(0, n);
    const started = performance.now();
    let first = -1;
    let chunks = 0;
    let cancelledAt = 0;
    const job = engine.synthesize(text, voice.id, { seed: 3, maxTokens: 8 }, () => {
      if (first < 0) first = performance.now() - started;
      if (++chunks === 2) {
        cancelledAt = performance.now();
        engine.cancel(job.id);
      }
    });
    await expect(job.result).rejects.toMatchObject({ code: 'CANCELLED' });
    const cancelMs = performance.now() - cancelledAt;
    console.log(`${n} chars: first audio after ${first.toFixed(0)} ms, cancel landed in ${cancelMs.toFixed(0)} ms`);
    expect(first).toBeLessThan(5000);
    expect(cancelMs).toBeLessThan(2000);
    expect(await speakBaseline()).toBe(baseline);
  });
});

describe('voices survive everything', () => {
  it('the library still lists every voice, byte-identical, and the locked one still unlocks', async () => {
    expect(await storeBytes()).toBe(snapshot);
    expect((await listVoicesReport(store)).skipped).toEqual([]);
    expect((await unlockVoice(await getVoice('locked-voice', store), PASS)).ge).toEqual(voice.ge);
    expect(tally.untyped + tally.hangs + tally.garbage).toBe(0);
    expect(tally.cases).toBeGreaterThanOrEqual(300);
  });
});
