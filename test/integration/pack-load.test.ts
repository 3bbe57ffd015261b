// Loading a pack from a URL in the engine (Node, onnxruntime-web wasm, a local HTTP server): files
// are fetched one at a time as sessions are made, and a pack that fails half-way brings the
// previously loaded pack back, so a voice keeps speaking.
import 'fake-indexeddb/auto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { LoadedPack } from '../../src/pack/fetch';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { tinyPack } from '../helpers/tiny-pack';

const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;
let pack: LoadedPack;
let server: Server;
let base = '';
const log: string[] = [];

beforeAll(async () => {
  pack = await tinyPack();
  // /good/ serves the pack; /broken/ serves the same manifest but no T2S decoder file.
  server = createServer((req, res) => {
    const [, dir, name] = req.url!.split('/');
    log.push(`${dir}/${name}`);
    const body = name === 'pack.json' ? Buffer.from(JSON.stringify(pack.manifest)) : dir === 'broken' && name === 't2s_decoder.onnx' ? undefined : pack.files.get(name);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe('loadPack(url)', () => {
  it('fetches every file once, and a pack that fails half-way leaves the previous pack working', async () => {
    const engine = new Engine(ort, { scope, voices: createStore('pack-load-test', 'voices') });
    await engine.init({ backend: 'wasm' });
    await engine.loadPack(`${base}/good/pack.json`);
    expect(log.filter((l) => l.startsWith('good/')).sort()).toEqual(['good/pack.json', ...pack.manifest.files.map((f) => `good/${f.name}`)].sort());
    const { voice } = await engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
    const opts = { seed: 3, maxTokens: 10, lang: 'en' as const };
    const before = await engine.synthesize('Still here.', voice.id, opts, () => {}).result;

    await expect(engine.loadPack(`${base}/broken/pack.json`)).rejects.toMatchObject({ code: 'PACK_FETCH_FAILED', message: expect.stringMatching(/t2s_decoder\.onnx/) });
    // The broken pack got as far as its decoder file: the files before it were fetched one by one.
    expect(log).toContain('broken/t2s_embed.onnx');
    const after = await engine.synthesize('Still here.', voice.id, opts, () => {}).result;
    expect(after.segments.map((s) => s.tokens)).toEqual(before.segments.map((s) => s.tokens));
    await engine.dispose();
  });
});
