// Upstream accepts only 3–10 s references. From a longer recording (up to a minute) this picks the
// best 3–10 s stretch automatically: it starts and ends inside pauses (so no word is cut), holds
// as much speech as possible at a high speech density, and contains no clipped samples when any
// clean stretch exists. The result says why it was chosen. Pure (no DOM).
import { MynahError } from '../errors';
import { frameEnergy, SILENCE_DB } from './trim';

export interface WindowOptions {
  minSec?: number;
  maxSec?: number;
  /** Shortest run of non-speech frames that counts as a pause where a cut may go (default 0.15 s). */
  minPauseSec?: number;
  /** |x| at or above this counts as clipped (default 0.99). */
  clipLevel?: number;
}

export interface ReferenceWindow {
  /** Chosen range [start, end) in input samples. */
  start: number;
  end: number;
  seconds: number;
  speechSeconds: number;
  /** speechSeconds / seconds. */
  density: number;
  clippedSamples: number;
  /** The whole input was used (it already was 3–10 s long). */
  whole: boolean;
  /** Both ends lie in pauses. */
  cutsAtPauses: boolean;
  candidates: number;
  /** One sentence for the user on why this stretch was picked. */
  reason: string;
  warnings: string[];
}

interface Analysis {
  hop: number;
  speechPrefix: Int32Array; // per frame
  clipPrefix: Int32Array; // per hop block
  speech: Uint8Array;
}

function analyse(x: Float32Array, sampleRate: number, clipLevel: number): Analysis {
  const e = frameEnergy(x, sampleRate);
  const sorted = Float64Array.from(e.db).sort();
  const loudest = sorted[sorted.length - 1];
  const floor = sorted[Math.floor(sorted.length * 0.1)];
  const threshold = Math.max(floor + 12, loudest - 35, SILENCE_DB);
  const frames = e.db.length;
  const speech = new Uint8Array(frames);
  const speechPrefix = new Int32Array(frames + 1);
  for (let f = 0; f < frames; f++) {
    speech[f] = e.db[f] > threshold ? 1 : 0;
    speechPrefix[f + 1] = speechPrefix[f] + speech[f];
  }
  // Clipping: samples at/above clipLevel, plus flat tops (≥ 3 equal samples at the global peak)
  // for audio that was clipped and then scaled down.
  let pk = 0;
  for (let i = 0; i < x.length; i++) pk = Math.max(pk, Math.abs(x[i]));
  const flat = pk >= 0.3 ? pk - 1e-4 : Infinity;
  const clipped = new Uint8Array(x.length);
  let run = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a >= clipLevel) clipped[i] = 1;
    run = a >= flat ? run + 1 : 0;
    if (run === 3) clipped[i - 2] = clipped[i - 1] = 1;
    if (run >= 3) clipped[i] = 1;
  }
  const clipPrefix = new Int32Array(frames + 1);
  for (let f = 0; f < frames; f++) {
    let c = 0;
    for (let i = f * e.hop, end = Math.min(x.length, (f + 1) * e.hop); i < end; i++) c += clipped[i];
    clipPrefix[f + 1] = clipPrefix[f] + c;
  }
  return { hop: e.hop, speechPrefix, clipPrefix, speech };
}

interface Scored {
  start: number;
  end: number;
  speechSeconds: number;
  density: number;
  clipped: number;
  score: number;
}

function measure(a: Analysis, start: number, end: number, sampleRate: number): Scored {
  const frames = a.speech.length;
  const f0 = Math.min(frames, Math.ceil(start / a.hop));
  const f1 = Math.min(frames, Math.ceil(end / a.hop));
  const speechSeconds = ((a.speechPrefix[f1] - a.speechPrefix[f0]) * a.hop) / sampleRate;
  const seconds = (end - start) / sampleRate;
  const density = Math.min(1, speechSeconds / seconds);
  const b0 = Math.floor(start / a.hop);
  const clipped = a.clipPrefix[f1] - a.clipPrefix[Math.min(frames, b0)];
  return { start, end, speechSeconds, density, clipped, score: speechSeconds * density };
}

/** Better = no clipping first, then more speech at a higher density. */
function better(a: Scored, b: Scored | undefined): boolean {
  if (!b) return true;
  if ((a.clipped > 0) !== (b.clipped > 0)) return a.clipped === 0;
  if (a.clipped > 0 && a.clipped !== b.clipped) return a.clipped < b.clipped;
  return a.score > b.score + 1e-9;
}

const sec = (n: number, sr: number) => (n / sr).toFixed(1);

/** Picks the best 3–10 s window of mono audio. Throws REF_TOO_SHORT if the input is under 3 s. */
export function pickReferenceWindow(x: Float32Array, sampleRate: number, opts: WindowOptions = {}): ReferenceWindow {
  const minLen = Math.ceil((opts.minSec ?? 3) * sampleRate);
  const maxLen = Math.floor((opts.maxSec ?? 10) * sampleRate);
  const n = x.length;
  if (n < minLen)
    throw new MynahError('REF_TOO_SHORT', `Only ${sec(n, sampleRate)} s of speech; the reference needs 3–10 s. Record or choose a longer clip.`);
  const a = analyse(x, sampleRate, opts.clipLevel ?? 0.99);
  const warnings: string[] = [];
  const clipNote = (c: number) => (c === 0 ? 'no clipping' : `${c} clipped samples`);

  if (n <= maxLen) {
    const m = measure(a, 0, n, sampleRate);
    if (m.clipped > 0) warnings.push(`The audio has ${m.clipped} clipped samples; record again a little further from the microphone for a cleaner voice.`);
    return {
      ...pick(m),
      whole: true,
      cutsAtPauses: true,
      candidates: 1,
      reason: `Used the whole ${sec(n, sampleRate)} s clip: it is within 3–10 s (${Math.round(m.density * 100)}% speech, ${clipNote(m.clipped)}).`,
      warnings,
    };
  }

  // Cut points inside pauses: a window may start shortly before speech resumes and end shortly
  // after it stops, keeping at most 0.1 s of each pause.
  const minPause = Math.max(1, Math.round(((opts.minPauseSec ?? 0.15) * sampleRate) / a.hop));
  const margin = Math.round(0.1 * sampleRate);
  const starts = [0];
  const ends: number[] = [];
  const frames = a.speech.length;
  for (let f = 0; f < frames; ) {
    if (a.speech[f]) {
      f++;
      continue;
    }
    let g = f;
    while (g < frames && !a.speech[g]) g++;
    if (g - f >= minPause && f > 0 && g < frames) {
      const p0 = f * a.hop;
      const p1 = Math.min(n, g * a.hop);
      const m = Math.min(margin, Math.floor((p1 - p0) / 2));
      ends.push(p0 + m);
      starts.push(p1 - m);
    }
    f = g;
  }
  ends.push(n);

  let best: Scored | undefined;
  let candidates = 0;
  let anyClean = false;
  let skippedClipped = false;
  for (const s of starts) {
    for (const e of ends) {
      const len = e - s;
      if (len < minLen || len > maxLen) continue;
      const m = measure(a, s, e, sampleRate);
      candidates++;
      if (m.clipped === 0) anyClean = true;
      else skippedClipped = true;
      if (better(m, best)) best = m;
    }
  }
  let cutsAtPauses = true;
  if (!best) {
    // No two pauses 3–10 s apart: slide a maximal window in 10 ms steps instead.
    cutsAtPauses = false;
    for (let s = 0; s + maxLen <= n; s += a.hop) {
      const m = measure(a, s, s + maxLen, sampleRate);
      candidates++;
      if (m.clipped === 0) anyClean = true;
      else skippedClipped = true;
      if (better(m, best)) best = m;
    }
    warnings.push('No pauses were found to cut at, so the reference may start or end mid-word; a recording with short pauses between sentences works better.');
  }
  const b = best!;
  if (b.clipped > 0) warnings.push(`Every possible stretch has clipping (${b.clipped} clipped samples in the chosen one); record again a little further from the microphone.`);
  const parts = [
    `Picked ${sec(b.end - b.start, sampleRate)} s (${sec(b.start, sampleRate)}–${sec(b.end, sampleRate)} s of ${sec(n, sampleRate)} s)`,
    `${Math.round(b.density * 100)}% speech`,
    clipNote(b.clipped),
    cutsAtPauses ? 'starts and ends in pauses' : 'cut without pauses',
  ];
  let reason = `${parts[0]}: ${parts.slice(1).join(', ')}; the most speech of ${candidates} candidate stretches`;
  if (anyClean && skippedClipped) reason += ', skipping those with clipping';
  return { ...pick(b), whole: false, cutsAtPauses, candidates, reason: reason + '.', warnings };

  function pick(m: Scored) {
    return {
      start: m.start,
      end: m.end,
      seconds: (m.end - m.start) / sampleRate,
      speechSeconds: m.speechSeconds,
      density: m.density,
      clippedSamples: m.clipped,
    };
  }
}
