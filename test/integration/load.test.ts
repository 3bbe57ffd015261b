// Load: 50 synthesis jobs queued at once on one engine (tiny pack), a third cancelled while waiting,
// some cancelled while running. Every job settles (report or CANCELLED), the queue drains, the
// engine still gives the same audio, and the JS heap returns to where it was.
import 'fake-indexeddb/auto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createStore } from 'idb-keyval';
import * as ort from 'onnxruntime-web';
import { expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import { MynahError } from '../../src/errors';
import { referenceSpeech, REFERENCE_TEXT } from '../helpers/reference-speech';
import { tinyPack } from '../helpers/tiny-pack';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const scope = { crossOriginIsolated: false, navigator: { hardwareConcurrency: 1 } } as unknown as typeof globalThis;

const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

it('50 queued jobs with cancellations all settle, the queue drains and memory returns', async () => {
  const engine = new Engine(ort, { scope, voices: createStore('mynah-load', 'voices') });
  await engine.init({ backend: 'wasm' });
  await engine.loadPack(await tinyPack());
  const { voice } = await engine.cloneVoice({ audio: referenceSpeech(), promptText: REFERENCE_TEXT, promptLang: 'en' }).result;
  const speakOnce = async () => {
    const parts: number[] = [];
    await engine.synthesize('One more sentence, then stop.', voice.id, { seed: 5, maxTokens: 12 }, (c) => void parts.push(...c.pcm)).result;
    return parts;
  };
  const reference = await speakOnce();
  // Warm up allocations (sessions' first runs, dictionaries) before measuring.
  await speakOnce();
  const before = heapMb();
  const started = performance.now();

  const jobs = Array.from({ length: 50 }, (_, i) => {
    let chunks = 0;
    const job = engine.synthesize(`Job number ${i + 1}. It says a few words, and then a few more.`, voice.id, { seed: i, maxTokens: 20 }, () => {
      // Every fifth job is cancelled by its own first chunk (while running).
      if (++chunks === 1 && i % 5 === 4) engine.cancel(job.id);
    });
    return { i, job };
  });
  // Every third job is cancelled while still waiting in the queue.
  for (const { i, job } of jobs) if (i % 3 === 2) expect(engine.cancel(job.id)).toBe(true);
  const settled = await Promise.allSettled(jobs.map((j) => j.job.result));
  const ms = performance.now() - started;

  const done = settled.filter((s) => s.status === 'fulfilled').length;
  const cancelled = settled.filter((s) => s.status === 'rejected' && (s.reason as MynahError).code === 'CANCELLED').length;
  expect(done + cancelled).toBe(50);
  for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(MynahError);
  expect(cancelled).toBeGreaterThanOrEqual(17 + 6);
  for (const { i } of jobs) if (i % 3 === 2 || i % 5 === 4) expect(settled[i].status).toBe('rejected');
  // Cancelled jobs leave nothing behind: later ids are unknown to the queue, and the engine speaks as before.
  expect(engine.cancel(jobs[0].job.id)).toBe(false);
  expect(await speakOnce()).toEqual(reference);
  const after = heapMb();
  console.log(`load: 50 jobs (${done} spoken, ${cancelled} cancelled) in ${(ms / 1000).toFixed(1)} s; JS heap ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after`);
  expect(after - before).toBeLessThan(20);
  await engine.dispose();
});
