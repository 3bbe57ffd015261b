// Reference audio in Chromium: records through the fake microphone (a WAV spoken by espeak-ng),
// imports files of several formats, prepares both model inputs, and streams audio through the
// worklet player. The app bundle exposes the audio API as globalThis.MynahAudio (src/main.ts).
// The files are committed fixtures (test/fixtures/audio/, made by scripts/make-audio-fixtures.sh).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossCorrelate } from '../../src/audio/fft';
import { downmix } from '../../src/audio/pcm';
import { resample } from '../../src/audio/resample';
import { encodeWav, parseWav } from '../../src/audio/wav';
import { AUDIO_FIXTURES } from '../helpers/reference-speech';
import { launch, watchConsole, type Page } from './browser';
import { serveStatic, type StaticServer } from './server';

// speech.wav says 'The quick brown fox jumps over the lazy dog. Mynah repeats what it hears.'
const dir = AUDIO_FIXTURES;
const speechWav = join(dir, 'speech.wav');
let server: StaticServer;
let chrome: Awaited<ReturnType<typeof launch>>;

beforeAll(async () => {
  server = await serveStatic(resolve(process.env.MYNAH_DIST ?? 'dist'));
  chrome = await launch({ fakeMic: speechWav, webgpu: false });
});
afterAll(async () => {
  await chrome?.close();
  await server?.close();
});

async function openPage(): Promise<{ page: Page; seen: ReturnType<typeof watchConsole> }> {
  const page = await chrome.browser.newPage();
  const seen = watchConsole(page);
  await page.goto(server.url);
  await page.waitForFunction(() => 'MynahAudio' in globalThis);
  // A click gives the page the user activation Web Audio wants before it starts a context.
  await page.mouse.click(5, 5);
  return { page, seen };
}

const b64 = (file: string) => readFileSync(join(dir, file)).toString('base64');

/** Finds where `rec` sits in `ref` (circularly) and returns the aligned stretch of `ref`. */
function align(rec: Float32Array, ref: Float32Array): { lag: number; aligned: Float32Array } {
  const size = 1 << Math.ceil(Math.log2(ref.length + rec.length));
  const xc = crossCorrelate(ref, rec, size);
  let lag = 0;
  for (let i = 0; i < ref.length; i++) if (xc[i] > xc[lag]) lag = i;
  return { lag, aligned: ref.slice(lag, lag + rec.length) };
}

function snrDb(signal: Float32Array, test: Float32Array, from = 0, to = signal.length): { snr: number; gain: number } {
  let ss = 0, st = 0;
  for (let i = from; i < to; i++) {
    ss += signal[i] * signal[i];
    st += signal[i] * test[i];
  }
  let err = 0;
  for (let i = from; i < to; i++) err += (test[i] - signal[i]) ** 2;
  return { snr: 10 * Math.log10(ss / err), gain: st / ss };
}

describe('reference audio in Chromium', () => {
  it('records the fake microphone losslessly: same samples as the WAV, within resampling tolerance', async () => {
    const original = parseWav(readFileSync(speechWav));
    // One 4 s take from the fake microphone, compared with the WAV it plays.
    const take = async () => {
      const { page, seen } = await openPage();
      const rec = await page.evaluate(async () => {
        const A = (globalThis as any).MynahAudio;
        const levels: { rmsDb: number; peakDb: number; seconds: number }[] = [];
        const r = await A.startRecording({ maxSeconds: 4, onLevel: (l: any) => levels.push(l) });
        const out = await r.finished; // stops by itself at maxSeconds
        return { sampleRate: out.sampleRate, stoppedBy: out.stoppedBy, channels: out.channels.map((c: Float32Array) => Array.from(c)), levels };
      });
      await page.close();
      console.log(`espeak-ng: ${original.sampleRate} Hz, ${(original.channels[0].length / original.sampleRate).toFixed(2)} s; recorded at ${rec.sampleRate} Hz, ${rec.channels.length} channel(s), ${rec.levels.length} level readings`);
      expect(rec.stoppedBy).toBe('max');
      expect(rec.channels[0].length).toBe(Math.round(4 * rec.sampleRate));
      // Level meter: readings arrive all along, rise while espeak talks.
      expect(rec.levels.length).toBeGreaterThan(20);
      expect(Math.max(...rec.levels.map((l) => l.rmsDb))).toBeGreaterThan(-40);
      expect(rec.levels.at(-1)!.seconds).toBeCloseTo(4, 1);
      expect(seen.errors).toEqual([]);

      // The fake device loops the file from an arbitrary point: tile it, bring both to 16 kHz with
      // our resampler, find the offset by cross-correlation, then compare sample by sample.
      const mono = downmix(rec.channels.map((c: number[]) => Float32Array.from(c)));
      const src = original.channels[0];
      const tiled = new Float32Array(src.length * 4);
      for (let k = 0; k < 4; k++) tiled.set(src, k * src.length);
      const ref16 = resample(tiled, original.sampleRate, 16000);
      const rec16 = resample(mono, rec.sampleRate, 16000);
      const { lag, aligned } = align(rec16, ref16);
      const margin = 400; // resampler edge effects at both ends of the recording
      const { snr, gain } = snrDb(aligned, rec16, margin, rec16.length - margin);
      // Chromium's fake device sometimes drops or repeats a buffer (more often on a busy machine),
      // which shifts the rest of the take and spoils the whole-take figures. So align every 0.5 s
      // window on its own and judge the median window: lossless capture gives 32–93 dB per window
      // here (Chromium resamples the file to the device rate), a lossy codec such as MediaRecorder's
      // Opus stays near 20 dB, and a glitch only spoils the window it falls in.
      const win = 8000;
      const perWindow: { snr: number; gain: number }[] = [];
      for (let at = margin; at + win <= rec16.length - margin; at += win) {
        const part = rec16.slice(at, at + win);
        let energy = 0;
        for (const x of part) energy += x * x;
        if (energy / win < 1e-4) continue; // a pause: nothing to compare
        perWindow.push(snrDb(align(part, ref16).aligned, part));
      }
      const mid = <T,>(xs: T[], key: (x: T) => number) => xs.map(key).sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      const median = mid(perWindow, (w) => w.snr);
      const medianGain = mid(perWindow, (w) => w.gain);
      console.log(`fake mic vs WAV: offset ${(lag / 16000).toFixed(3)} s, gain ${gain.toFixed(4)}, SNR ${snr.toFixed(1)} dB at 16 kHz over the whole take; per 0.5 s window ${perWindow.map((w) => w.snr.toFixed(0)).join(' ')} dB (median ${median.toFixed(1)}, gain ${medianGain.toFixed(4)})`);
      expect(perWindow.length).toBeGreaterThanOrEqual(4);
      return { median, medianGain };
    };
    // Once in many CI runs a whole take came through Chromium's fake device at 15–20 dB in every
    // window (gain 0.987): the device's own path, since the same build scored 93 dB in the run
    // before. A second take decides; a recorder that loses fidelity fails both.
    let best = await take();
    if (best.median <= 30) {
      console.log(`take 1: median ${best.median.toFixed(1)} dB; a second take`);
      const second = await take();
      if (second.median > best.median) best = second;
    }
    expect(Math.abs(best.medianGain - 1)).toBeLessThan(0.02);
    expect(best.median).toBeGreaterThan(30);
  });

  it('prepares both model inputs from a recording and explains the window it picked', async () => {
    const { page } = await openPage();
    const r = await page.evaluate(async () => {
      const A = (globalThis as any).MynahAudio;
      const rec = await (await A.startRecording({ maxSeconds: 12 })).finished;
      const p = A.prepareReference(rec);
      return { n16: p.wav16k.length, nHubert: p.hubertInput.length, n32: p.wav32k.length, bins: p.spectrogram.bins, frames: p.spectrogram.frames, reason: p.window.reason, seconds: p.window.seconds, lufs: p.loudness.outputLufs };
    });
    console.log(r.reason);
    expect(r.n16).toBeGreaterThanOrEqual(48000);
    expect(r.n16).toBeLessThanOrEqual(160000);
    expect(r.nHubert).toBe(r.n16 + 9600);
    expect(r.bins).toBe(1025);
    expect(r.frames).toBe(Math.floor((r.n32 + 1408 - 2048) / 640) + 1);
    expect(r.reason).toMatch(/speech/);
    await page.close();
  });

  it('imports WAV, FLAC, OGG and MP3, and rejects corrupt, empty and silent files with clear codes', async () => {
    const { page } = await openPage();
    const files: Record<string, string> = {
      wav: b64('speech.wav'),
      flac: b64('speech.flac'),
      ogg: b64('speech.ogg'),
      mp3: b64('speech.mp3'),
      silentWav: b64('silent.wav'),
      silentOgg: b64('silent.ogg'),
      corrupt: Buffer.from('ID3 this is not really an mp3 file at all, just text').toString('base64'),
      truncatedOgg: b64('speech.ogg').slice(0, 200),
      empty: '',
      float32: Buffer.from(encodeWav(Float32Array.from({ length: 8000 }, (_, i) => 0.5 * Math.sin(i / 10)), 8000, 'float32')).toString('base64'),
    };
    const out = await page.evaluate(async (f) => {
      const A = (globalThis as any).MynahAudio;
      const res: Record<string, any> = {};
      for (const [name, data] of Object.entries(f)) {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        try {
          const a = await A.decodeAudioFile(new Blob([bytes]));
          res[name] = { sampleRate: a.sampleRate, channels: a.channels.length, samples: Array.from(a.channels[0] as Float32Array) };
        } catch (e: any) {
          res[name] = { code: e.code, message: e.message };
        }
      }
      return res;
    }, files);
    const wav = parseWav(readFileSync(speechWav)).channels[0];
    expect(out.wav.sampleRate).toBe(22050);
    expect(out.wav.samples).toEqual(Array.from(wav));
    // FLAC is lossless: the same samples, decoded at the file's own rate. (Chromium scales FLAC's
    // 16-bit integers by 1/32767 rather than 1/32768, hence up to one step of difference.)
    expect(out.flac.sampleRate).toBe(22050);
    expect(out.flac.samples.length).toBe(wav.length);
    let flacErr = 0;
    for (let i = 0; i < wav.length; i++) flacErr = Math.max(flacErr, Math.abs(out.flac.samples[i] - wav[i]));
    expect(flacErr).toBeLessThanOrEqual(1 / 32767);
    // Vorbis is lossy but must be the same speech.
    expect(out.ogg.sampleRate).toBe(22050);
    const ogg = Float32Array.from(out.ogg.samples);
    const { aligned } = align(ogg.subarray(0, wav.length), Float32Array.from(wav));
    const { snr } = snrDb(aligned, ogg, 0, Math.min(aligned.length, ogg.length));
    console.log(`ogg vorbis import: SNR ${snr.toFixed(1)} dB vs the WAV; errors: ${['corrupt', 'truncatedOgg', 'empty', 'silentWav', 'silentOgg'].map((k) => `${k}=${out[k].code}`).join(' ')}`);
    expect(snr).toBeGreaterThan(10);
    // MP3 (lame, 96 kbit/s) too; the encoder's delay is taken out by the alignment.
    expect(out.mp3.sampleRate).toBe(22050);
    const mp3 = Float32Array.from(out.mp3.samples);
    const w = Float32Array.from(wav);
    const mp3Aligned = align(w, mp3).aligned; // the decoded MP3 lags the WAV
    const mp3Snr = snrDb(w, mp3Aligned, 0, Math.min(w.length, mp3Aligned.length)).snr;
    console.log(`mp3 import: SNR ${mp3Snr.toFixed(1)} dB vs the WAV`);
    expect(mp3Snr).toBeGreaterThan(10);
    expect(out.float32.samples.length).toBe(8000);
    expect(out.corrupt.code).toBe('AUDIO_CORRUPT');
    expect(out.truncatedOgg.code).toMatch(/AUDIO_CORRUPT|AUDIO_EMPTY/);
    expect(out.empty.code).toBe('AUDIO_EMPTY');
    expect(out.silentWav.code).toBe('AUDIO_SILENT');
    expect(out.silentOgg.code).toBe('AUDIO_SILENT');
    expect(out.corrupt.message).toMatch(/WAV, MP3, OGG, FLAC or M4A/);
    await page.close();
  });

  it('streams chunks gap-free through the worklet player and reports underruns', async () => {
    const { page } = await openPage();
    const r = await page.evaluate(async () => {
      const A = (globalThis as any).MynahAudio;
      const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
      // Record the player's output instead of playing it: a tap in the same 32 kHz context.
      const ctx = new AudioContext({ sampleRate: 32000 });
      const tap = await A.createPcmTap(ctx, { maxSeconds: 30 });
      const player = await A.StreamPlayer.create({ sampleRate: 32000, prebufferSec: 0.1, context: ctx, destination: () => tap.node });
      // 1.5 s of a distinctive signal in uneven chunks, always ahead of playback.
      const total = 48000;
      const signal = Float32Array.from({ length: total }, (_, i) => 0.5 * Math.sin(0.3 + i * 0.01 + 1e-5 * i * i));
      const sizes = [3000, 1280, 7000, 640, 9000, 2560, 4000];
      let at = 0;
      for (let k = 0; at < total; k++) {
        const n = Math.min(sizes[k % sizes.length], total - at);
        player.push(signal.slice(at, at + n));
        at += n;
        await sleep(20);
      }
      player.end();
      await player.ended;
      const smooth = await player.stats();
      // Starve it: 0.2 s, then nothing for 0.5 s, then the rest.
      player.reset();
      player.push(signal.slice(0, 6400));
      await sleep(500);
      player.push(signal.slice(6400, 12800));
      await sleep(600);
      const starved = await player.stats();
      const rec = await tap.stop();
      await player.close();
      await ctx.close();
      return { smooth, starved, underrunEvents: player.underrunEvents.length, out: Array.from(rec.channels[0] as Float32Array), signal: Array.from(signal) };
    });
    expect(r.smooth.underruns).toBe(0);
    expect(r.smooth.played).toBe(48000);
    // The captured output contains the pushed signal bit for bit, contiguous (no gap, no repeat).
    const out = r.out;
    const first = out.findIndex((v) => v !== 0);
    const played = out.slice(first, first + 48000);
    let maxDiff = 0;
    for (let i = 0; i < 48000; i++) maxDiff = Math.max(maxDiff, Math.abs(played[i] - r.signal[i]));
    console.log(`player: first sample at ${first}, max diff vs pushed ${maxDiff}; starved run: ${r.starved.underruns} underrun(s)`);
    expect(maxDiff).toBe(0);
    expect(r.starved.underruns).toBeGreaterThanOrEqual(1);
    expect(r.underrunEvents).toBeGreaterThanOrEqual(1);
    await page.close();
  });

  it('reports a missing or blocked microphone as a typed error', async () => {
    const bare = await launch({ webgpu: false });
    try {
      const page = await bare.browser.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => 'MynahAudio' in globalThis);
      const r = await page.evaluate(async () => {
        try {
          await (globalThis as any).MynahAudio.startRecording();
          return { code: 'none', message: '' };
        } catch (e: any) {
          return { code: e.code, message: e.message };
        }
      });
      console.log(`no fake mic: ${r.code}: ${r.message}`);
      expect(['MIC_DENIED', 'MIC_MISSING']).toContain(r.code);
      expect(r.message).toMatch(/import an audio file/);
      // A refused permission arrives as NotAllowedError (stubbed: headless Chromium has no prompt to refuse).
      const denied = await page.evaluate(async () => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
        try {
          await (globalThis as any).MynahAudio.startRecording();
          return 'none';
        } catch (e: any) {
          return e.code;
        }
      });
      expect(denied).toBe('MIC_DENIED');
    } finally {
      await bare.close();
    }
  });
});
