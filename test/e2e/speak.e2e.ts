// The vertical slice in Chromium, in the worker, on the shipped tiny pack: clone a voice from a
// real speech WAV (decoded by the browser), speak streamed on WebGPU and on WASM, play it through
// Web Audio, find the voice in IndexedDB after a reload, and survive a lost GPU device.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// SwiftShader's WebGPU is slow on a 2-core machine, so the browser run uses the shortest LibriVox
// clip (3.3 s; the 7.1 s one is cloned in the Node integration test) and short fragments.
import { SHORT_TEXT, SHORT_WAV } from '../helpers/reference-speech';
const MAX_TOKENS = 24;
import { launch, watchConsole, type Page } from './browser';
import { serveStatic, type StaticServer } from './server';

let server: StaticServer;
let chrome: Awaited<ReturnType<typeof launch>>;
let page: Page;
let seen: ReturnType<typeof watchConsole>;

const wavB64 = readFileSync(SHORT_WAV).toString('base64');

beforeAll(async () => {
  server = await serveStatic(resolve(process.env.MYNAH_DIST ?? 'dist'));
  chrome = await launch();
  page = await chrome.browser.newPage();
  seen = watchConsole(page);
  await page.goto(server.url);
  await page.waitForFunction(() => 'Mynah' in globalThis);
});
afterAll(async () => {
  await chrome?.close();
  await server?.close();
});

interface SpeakResult {
  backend: string;
  reason: string;
  voiceId: string;
  codes: number;
  ge: number[];
  chunks: { kind: string; samples: number; tokens: number; segment: number }[];
  tokens: number[];
  firstChunkBeforeEnd: boolean;
  played: number;
  underruns: number;
  finite: boolean;
  peak: number;
  firstSamples: number[];
}

/**
 * In the page: a client on `backend` (created once per page and kept, since creating one on
 * SwiftShader is slow), clone (unless `voiceId`), speak and play.
 */
async function cloneAndSpeak(p: Page, backend: 'webgpu' | 'wasm', voiceId?: string, loseDevice = false): Promise<SpeakResult> {
  return p.evaluate(
    async ({ backend, wav, promptText, voiceId, loseDevice, maxTokens }) => {
      const g = globalThis as any;
      g.clients ??= {};
      if (!g.clients[backend]) {
        const created = await g.Mynah.create({ backend });
        await created.loadPack();
        g.clients[backend] = created;
      }
      const m = g.clients[backend];
      {
        let id = voiceId;
        if (!id) {
          const bytes = Uint8Array.from(atob(wav), (c) => c.charCodeAt(0));
          const r = await m.cloneVoice(new Blob([bytes], { type: 'audio/wav' }), promptText, 'en', `Reader on ${backend}`);
          id = r.voice.id;
        }
        const voice = await m.voices.get(id);
        if (loseDevice) await m.loseDevice();
        const player = await g.MynahAudio.StreamPlayer.create({ sampleRate: 32000, prebufferSec: 0.05 });
        const stream = m.synthesize('Hello there. This is Mynah speaking!', id, { seed: 11, maxTokens, lang: 'en' });
        const chunks: SpeakResult['chunks'] = [];
        let finite = true;
        let peak = 0;
        let firstSamples: number[] = [];
        for await (const c of stream) {
          chunks.push({ kind: c.kind, samples: c.pcm.length, tokens: c.tokens, segment: c.segment });
          for (const x of c.pcm) {
            if (!Number.isFinite(x)) finite = false;
            peak = Math.max(peak, Math.abs(x));
          }
          if (!firstSamples.length && c.kind === 'speech') firstSamples = Array.from(c.pcm.subarray(0, 256));
          player.push(c.pcm);
        }
        player.end();
        await player.ended;
        const stats = await player.stats();
        const report = await stream.report;
        const info = await m.refreshBackendInfo();
        await player.close();
        const firstSpeech = chunks.find((c) => c.kind === 'speech')!;
        return {
          backend: info.backend,
          reason: info.reason,
          voiceId: id!,
          codes: voice.promptCodes.length,
          ge: Array.from(voice.ge as Float32Array),
          chunks,
          tokens: report.segments.map((s: { tokens: number }) => s.tokens),
          firstChunkBeforeEnd: firstSpeech.tokens < report.segments[0].tokens,
          played: stats.played,
          underruns: stats.underruns,
          finite,
          peak,
          firstSamples,
        };
      }
    },
    { backend, wav: wavB64, promptText: SHORT_TEXT, voiceId, loseDevice, maxTokens: MAX_TOKENS },
  );
}

describe('clone and speak in Chromium', () => {
  const results: Record<string, SpeakResult> = {};

  for (const backend of ['wasm', 'webgpu'] as const) {
    it(`clones from a WAV and speaks streamed on ${backend}`, { timeout: 600_000 }, async () => {
      const r = await cloneAndSpeak(page, backend);
      results[backend] = r;
      console.log(`${backend}: ${r.reason}; tokens ${r.tokens}; chunks ${r.chunks.map((c) => `${c.kind[0]}${c.samples}`).join(' ')}; played ${r.played}, underruns ${r.underruns}`);
      expect(r.backend).toBe(backend);
      expect(r.codes).toBeGreaterThan(60);
      expect(r.ge.every(Number.isFinite)).toBe(true);
      expect(r.finite).toBe(true);
      expect(r.peak).toBeGreaterThan(0);
      // Two fragments (cut5 at punctuation), each a stream of speech chunks then a pause.
      expect(r.tokens.length).toBe(2);
      expect(new Set(r.chunks.map((c) => c.segment))).toEqual(new Set([0, 1]));
      expect(r.firstChunkBeforeEnd).toBe(true);
      // 1280 samples per token plus a 0.3 s pause per fragment at 32 kHz. The watermark embedder
      // lags a few samples, so speech spills into the following chunk: count the whole stream.
      const total = r.chunks.reduce((n, c) => n + c.samples, 0);
      expect(total).toBe(r.tokens.reduce((a, b) => a + b, 0) * 1280 + r.tokens.length * 9600);
      // Everything produced went through the Web Audio player.
      expect(r.played).toBe(total);
      expect(seen.fatal).toEqual([]);
    });
  }

  it('clones the same voice on both backends', () => {
    const a = results.wasm;
    const b = results.webgpu;
    expect(a && b).toBeTruthy();
    expect(b.codes).toBe(a.codes);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < a.ge.length; i++) {
      diff = Math.max(diff, Math.abs(a.ge[i] - b.ge[i]));
      scale = Math.max(scale, Math.abs(a.ge[i]));
    }
    console.log(`ge webgpu vs wasm: max diff ${diff.toExponential(2)} (scale ${scale.toFixed(3)}); tokens wasm ${a.tokens} webgpu ${b.tokens}`);
    expect(diff).toBeLessThan(1e-3 * Math.max(1, scale));
  });

  it('falls back to WASM when the WebGPU device is lost, and says so', { timeout: 600_000 }, async () => {
    const r = await cloneAndSpeak(page, 'webgpu', results.webgpu.voiceId, true);
    console.log(`after device loss: ${r.backend} (${r.reason})`);
    expect(r.backend).toBe('wasm');
    expect(r.reason).toMatch(/WebGPU failed/);
    expect(r.tokens.length).toBe(2);
    // The lost device is expected here; nothing else may be fatal.
    seen.fatal.length = 0;
  });

  it('finds the voices in IndexedDB after a reload and speaks with one', async () => {
    await page.reload();
    await page.waitForFunction(() => 'Mynah' in globalThis);
    const names = await page.evaluate(async () => {
      const m = await (globalThis as any).Mynah.create({ backend: 'wasm' });
      try {
        return (await m.voices.list()).map((v: { name: string }) => v.name);
      } finally {
        m.dispose();
      }
    });
    expect(names).toEqual(expect.arrayContaining(['Reader on wasm', 'Reader on webgpu']));
    const again = await cloneAndSpeak(page, 'wasm', results.wasm.voiceId);
    // Same voice, seed and pack on the same backend: the same tokens as before the reload.
    expect(again.tokens).toEqual(results.wasm.tokens);
    expect(again.firstSamples).toEqual(results.wasm.firstSamples);
  });

  it("applies the site operator's content filter set on Mynah.create, and its off-switch", { timeout: 300_000 }, async () => {
    const r = await page.evaluate(async (voiceId) => {
      const g = globalThis as any;
      const attempt = async (m: any, text: string) => {
        try {
          const stream = m.synthesize(text, voiceId, { seed: 1, maxTokens: 4 });
          for await (const _ of stream) void _;
          return 'spoken';
        } catch (e) {
          return `${(e as { code?: string }).code}: ${(e as Error).message}`;
        }
      };
      let functionRule = 'accepted';
      try {
        await g.Mynah.create({ backend: 'wasm', contentFilter: { rules: [{ id: 'fn', reason: 'x', test: () => true }] } });
      } catch (e) {
        functionRule = String((e as { code?: string }).code);
      }
      const strict = await g.Mynah.create({ backend: 'wasm', contentFilter: { deny: ['purple elephant'], rules: [{ id: 'no-links', reason: 'a web address', test: /https?:\/\// }] } });
      await strict.loadPack();
      const off = await g.Mynah.create({ backend: 'wasm', contentFilter: { enabled: false } });
      await off.loadPack();
      const out = {
        functionRule,
        defaultClient: await attempt(g.clients.wasm, 'A purple elephant.'),
        denied: await attempt(strict, 'A Purple  Elephant.'),
        rule: await attempt(strict, 'Visit https://example.com now.'),
        allowed: await attempt(strict, 'A grey elephant.'),
        offSwitch: await attempt(off, 'You should kill yourself.'),
        defaultList: await attempt(g.clients.wasm, 'You should kill yourself.'),
      };
      strict.dispose();
      off.dispose();
      return out;
    }, results.wasm.voiceId);
    console.log(JSON.stringify(r));
    expect(r.functionRule).toBe('OPTIONS_INVALID');
    expect(r.defaultClient).toBe('spoken');
    expect(r.denied).toMatch(/^CONTENT_BLOCKED: /);
    expect(r.denied).not.toMatch(/purple/i); // the message names the rule, never the words
    expect(r.rule).toMatch(/^CONTENT_BLOCKED: .*web address/);
    expect(r.allowed).toBe('spoken');
    expect(r.defaultList).toMatch(/^CONTENT_BLOCKED: /);
    expect(r.offSwitch).toBe('spoken');
  });

  it('speaks Chinese (with BERT features), Japanese (dictionary served by the app) and mixed text', { timeout: 300_000 }, async () => {
    const r = await page.evaluate(async (voiceId) => {
      const m = (globalThis as any).clients.wasm;
      const texts = { zh: '今天天气很好，我们去公园散步吧。', ja: 'こんにちは、今日はいい天気ですね。', mixed: '我喜欢 Mynah，とても便利です。' };
      const out: Record<string, { segments: { text: string; phones: number; tokens: number; bert: boolean }[]; bert: boolean; warnings: string[]; samples: number }> = {};
      for (const [key, text] of Object.entries(texts)) {
        const stream = m.synthesize(text, voiceId, { seed: 3, maxTokens: 8, cut: 'cut0' });
        let samples = 0;
        for await (const c of stream) samples += c.pcm.length;
        const rep = await stream.report;
        out[key] = { segments: rep.segments.map((s: any) => ({ text: s.text, phones: s.phones, tokens: s.tokens, bert: s.bert })), bert: rep.bert.used, warnings: rep.warnings, samples };
      }
      return out;
    }, results.wasm.voiceId);
    for (const [k, v] of Object.entries(r)) console.log(`${k}: ${v.segments.map((s) => `${s.phones} phones, ${s.tokens} tokens, bert ${s.bert}`).join('; ')}; warnings ${JSON.stringify(v.warnings)}`);
    for (const v of Object.values(r)) {
      expect(v.segments.length).toBe(1);
      expect(v.segments[0].phones).toBeGreaterThan(10);
      expect(v.segments[0].tokens).toBe(8);
      expect(v.samples).toBeGreaterThan(8 * 1280);
      expect(v.warnings).toEqual([]);
    }
    // The shipped pack has a Chinese BERT: Chinese text uses it, Japanese does not.
    expect(r.zh.segments[0].bert).toBe(true);
    expect(r.mixed.segments[0].bert).toBe(true);
    expect(r.ja.segments[0].bert).toBe(false);
    expect(seen.fatal).toEqual([]);
  });
});
