// Cloning: reference audio + its transcript -> a Voice. Everything synthesis needs from the
// reference is computed here once (prompt codes from HuBERT + VQ, `ge` from the reference
// encoder, prompt phones from g2p, and the prompt's BERT features when its transcript has Chinese
// and the pack has a BERT), so a saved voice never runs these networks again.
import type { PcmAudio } from '../audio/pcm';
import { kaldiFbank } from '../audio/fbank';
import { prepareReference, type PreparedReference, type PrepareOptions } from '../audio/prepare';
import { MynahError } from '../errors';
import { textToPhones, type LangMode, type PhoneSegment } from '../text/frontend';
import { VOICE_SCHEMA, type Voice, type VoiceConsent, type VoiceRefMeta } from '../store/voices';
import { MAX_VOICE_REFERENCES, MODEL_FAMILIES, type FlowMatching } from '../pack/versions';
import { logMel } from '../audio/mel';
import { resample, SOVITS_RATE } from '../audio/resample';
import { assertConsent } from '../safety/consent';
import { phoneBert } from './bert-features';
import { session, type LoadedModels } from './models';

export interface CloneRequest {
  audio: PcmAudio;
  /** What the reference says, word for word (the GPT learns the voice from text + codes). */
  promptText: string;
  promptLang: LangMode;
  name?: string;
  prepare?: PrepareOptions;
  /** The speaker's consent (makeConsent), stored with the voice and kept through export/import. */
  consent?: VoiceConsent;
  /**
   * More recordings of the same speaker (upstream's auxiliary references, at most
   * MAX_VOICE_REFERENCES - 1): they only shape the speaker embedding (their ge's are averaged with
   * the main one); the transcript and the GPT prompt come from `audio`.
   */
  extraAudio?: PcmAudio[];
}

// Upstream ends an unterminated prompt with a full stop (an English one for English prompts).
const PROMPT_ENDINGS = new Set(['，', '。', '？', '！', ',', '.', '?', '!', '~', ':', '：', '—', '…']);

export function terminatePrompt(text: string, lang: LangMode): string {
  const t = text.trim();
  if (!t || PROMPT_ENDINGS.has(t[t.length - 1])) return t;
  return t + (lang === 'en' ? '.' : '。');
}

export async function promptPhones(text: string, lang: LangMode, version: 'v1' | 'v2', dicBase?: string): Promise<{ ids: Int32Array; segments: PhoneSegment[]; warnings: string[] }> {
  const r = await textToPhones(terminatePrompt(text, lang), lang, version, dicBase ? { ja: { dicPath: dicBase } } : {});
  const ids = Int32Array.from(r.segments.flatMap((s) => s.ids));
  if (ids.length === 0) {
    throw new MynahError('PROMPT_TEXT_EMPTY', 'The transcript of the reference has nothing readable. Type exactly what the recording says.');
  }
  return { ids, segments: r.segments, warnings: r.warnings };
}

/** Where cloning spent its time, ms (networks only; the reference's preparation is in totalMs). */
export interface CloneTimings {
  /** HuBERT + the semantic extractor (prompt codes). */
  codesMs: number;
  /** The speaker-verification network (fbank included), summed over references; 0 without one. */
  svMs: number;
  /** The SoVITS reference encoder, summed over references. */
  refMs: number;
  totalMs: number;
}

export interface ClonedVoice {
  voice: Voice;
  warnings: string[];
  timings?: CloneTimings;
}

export async function extractVoice(m: LoadedModels, req: CloneRequest, opts: { dicBase?: string; signal?: AbortSignal } = {}): Promise<ClonedVoice> {
  const { ort, manifest } = m;
  const started = performance.now();
  const timings: CloneTimings = { codesMs: 0, svMs: 0, refMs: 0, totalMs: 0 };
  if (req.consent !== undefined) assertConsent(req.consent);
  const prepared = prepareReference(req.audio, req.prepare);
  const extra = req.extraAudio ?? [];
  assertReferenceCount(1 + extra.length);
  const { ids, segments, warnings } = await promptPhones(req.promptText, req.promptLang, MODEL_FAMILIES[manifest.version].symbols, opts.dicBase);
  opts.signal?.throwIfAborted();
  // [bertDim, prompt phones]; kept only when some of it came from the BERT (absent = zeros).
  const bert = await phoneBert(m, segments);
  const promptBert = bert.bertSegments > 0 ? bert.bert : undefined;
  opts.signal?.throwIfAborted();

  const codesStart = performance.now();
  const hub = await session(m, 'hubert').run({ audio: new ort.Tensor('float32', prepared.hubertInput, [1, prepared.hubertInput.length]) });
  opts.signal?.throwIfAborted();
  const sem = await session(m, 'semantic').run({ ssl: hub.ssl });
  hub.ssl.dispose();
  const codes = Int32Array.from(sem.codes.data as BigInt64Array, Number);
  sem.codes.dispose();
  timings.codesMs = performance.now() - codesStart;
  opts.signal?.throwIfAborted();

  const refs = [prepared, ...extra.map((a) => prepareReference(a, req.prepare))];
  const ges: Float32Array[] = [];
  for (const r of refs) {
    opts.signal?.throwIfAborted();
    ges.push(await referenceGe(m, r, timings));
  }
  // v3/v4: the reference's log-mel at the version's mel rate is the flow-matching decoder's prompt.
  const flow = MODEL_FAMILIES[manifest.version].flowMatching;
  const refMel = flow ? referenceMel(prepared, flow) : undefined;
  timings.totalMs = performance.now() - started;
  const w = prepared.window;
  const voice: Voice = {
    schema: VOICE_SCHEMA,
    id: crypto.randomUUID(),
    name: req.name?.trim() || `Voice ${new Date().toLocaleString('en-GB')}`,
    created: new Date().toISOString(),
    packId: manifest.id,
    modelVersion: manifest.version,
    promptText: req.promptText.trim(),
    promptLang: req.promptLang,
    promptPhones: ids,
    ...(promptBert ? { promptBert } : {}),
    promptCodes: codes,
    ...combineGes(ges),
    ...(refMel ? { refMel } : {}),
    refMeta: { durationSec: w.seconds, note: w.reason },
    ...(refs.length > 1 ? { auxRefs: refs.slice(1).map(refMeta) } : {}),
    ...(req.consent ? { consent: { given: true, at: req.consent.at, statement: req.consent.statement.trim() } } : {}),
  };
  return { voice, timings, warnings: [...w.warnings, ...refs.slice(1).flatMap((r, i) => r.window.warnings.map((x) => `Extra recording ${i + 1}: ${x}`)), ...warnings] };
}

/** TTS.py mel_fn (v3, 24 kHz) / mel_fn_v4 (32 kHz) of the reference: log-mel [bins, frames]. */
function referenceMel(r: PreparedReference, flow: FlowMatching): Float32Array {
  const wav = flow.mel.sampleRate === SOVITS_RATE ? r.wav32k : resample(r.wav32k, SOVITS_RATE, flow.mel.sampleRate);
  return logMel(wav, flow.mel).data;
}

const refMeta = (r: PreparedReference): VoiceRefMeta => ({ durationSec: r.window.seconds, note: r.window.reason });

function assertReferenceCount(n: number): void {
  if (n > MAX_VOICE_REFERENCES) {
    throw new MynahError('TOO_MANY_REFERENCES', `A voice combines at most ${MAX_VOICE_REFERENCES} recordings; this one would have ${n}. Leave some out.`);
  }
}

/**
 * One reference's speaker embedding: the reference encoder on its spectrogram; for the v2Pro
 * family fused with the speaker-verification embedding of its 16 kHz audio (upstream feeds the
 * SV model the reference at 16 kHz, unpadded, through Kaldi fbank).
 */
async function referenceGe(m: LoadedModels, r: PreparedReference, timings?: CloneTimings): Promise<Float32Array> {
  const { ort, manifest } = m;
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
    refer: new ort.Tensor('float32', r.spectrogram.data, [1, r.spectrogram.bins, r.spectrogram.frames]),
  };
  if (MODEL_FAMILIES[manifest.version].speakerVerification) {
    const t = performance.now();
    const fb = kaldiFbank(r.wav16k);
    const out = await session(m, 'sv').run({ fbank: new ort.Tensor('float32', fb.data, [1, fb.frames, fb.bins]) });
    feeds.sv = out.sv;
    if (timings) timings.svMs += performance.now() - t;
  }
  const t = performance.now();
  const ref = await session(m, 'sovits-ref').run(feeds);
  if (timings) timings.refMs += performance.now() - t;
  feeds.sv?.dispose();
  const ge = Float32Array.from(ref.ge.data as Float32Array);
  ref.ge.dispose();
  if (!ge.every(Number.isFinite)) throw new MynahError('CLONE_FAILED', 'The reference encoder produced invalid numbers. Try another recording or reload the page.');
  return ge;
}

/** ge = the mean of the references' ge's (upstream: torch.stack(ges).mean(0)); refGes keeps each. */
export function combineGes(ges: Float32Array[]): { ge: Float32Array; refGes?: Float32Array } {
  if (ges.length === 1) return { ge: ges[0] };
  const n = ges[0].length;
  const ge = new Float32Array(n);
  const refGes = new Float32Array(n * ges.length);
  ges.forEach((g, r) => {
    refGes.set(g, r * n);
    for (let i = 0; i < n; i++) ge[i] += g[i];
  });
  for (let i = 0; i < n; i++) ge[i] /= ges.length;
  return { ge, refGes };
}

/**
 * Adds recordings to a saved (unlocked) voice of this pack: their ge's join the voice's, and ge
 * becomes the mean of all. Codes, phones and transcript stay the main reference's.
 */
export async function addVoiceReferences(m: LoadedModels, voice: Voice, audio: PcmAudio[], opts: { prepare?: PrepareOptions; signal?: AbortSignal } = {}): Promise<ClonedVoice> {
  if (voice.packId !== m.manifest.id) {
    throw new MynahError('VOICE_PACK_MISMATCH', `Voice "${voice.name}" was cloned with model pack "${voice.packId}"; load that pack to add recordings to it.`);
  }
  if (audio.length === 0) throw new MynahError('AUDIO_EMPTY', 'Choose at least one recording to add.');
  const gin = voice.ge.length;
  const existing = voice.refGes ? Array.from({ length: voice.refGes.length / gin }, (_, r) => voice.refGes!.slice(r * gin, (r + 1) * gin)) : [voice.ge];
  assertReferenceCount(existing.length + audio.length);
  const refs = audio.map((a) => prepareReference(a, opts.prepare));
  const added: Float32Array[] = [];
  for (const r of refs) {
    opts.signal?.throwIfAborted();
    added.push(await referenceGe(m, r));
  }
  const updated: Voice = { ...voice, ...combineGes([...existing, ...added]), auxRefs: [...(voice.auxRefs ?? []), ...refs.map(refMeta)] };
  return { voice: updated, warnings: refs.flatMap((r) => r.window.warnings) };
}
