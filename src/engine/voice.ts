// Cloning: reference audio + its transcript -> a Voice. Everything synthesis needs from the
// reference is computed here once (prompt codes from HuBERT + VQ, `ge` from the reference
// encoder, prompt phones from g2p, and the prompt's BERT features when its transcript has Chinese
// and the pack has a BERT), so a saved voice never runs these networks again.
import type { PcmAudio } from '../audio/pcm';
import { prepareReference, type PrepareOptions } from '../audio/prepare';
import { MynahError } from '../errors';
import { textToPhones, type LangMode, type PhoneSegment } from '../text/frontend';
import { VOICE_SCHEMA, type Voice, type VoiceConsent } from '../store/voices';
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

export interface ClonedVoice {
  voice: Voice;
  warnings: string[];
}

export async function extractVoice(m: LoadedModels, req: CloneRequest, opts: { dicBase?: string; signal?: AbortSignal } = {}): Promise<ClonedVoice> {
  const { ort, manifest } = m;
  if (req.consent !== undefined) assertConsent(req.consent);
  const prepared = prepareReference(req.audio, req.prepare);
  const { ids, segments, warnings } = await promptPhones(req.promptText, req.promptLang, manifest.version, opts.dicBase);
  opts.signal?.throwIfAborted();
  // [bertDim, prompt phones]; kept only when some of it came from the BERT (absent = zeros).
  const bert = await phoneBert(m, segments);
  const promptBert = bert.bertSegments > 0 ? bert.bert : undefined;
  opts.signal?.throwIfAborted();

  const hub = await session(m, 'hubert').run({ audio: new ort.Tensor('float32', prepared.hubertInput, [1, prepared.hubertInput.length]) });
  opts.signal?.throwIfAborted();
  const sem = await session(m, 'semantic').run({ ssl: hub.ssl });
  hub.ssl.dispose();
  const codes = Int32Array.from(sem.codes.data as BigInt64Array, Number);
  sem.codes.dispose();
  opts.signal?.throwIfAborted();

  const spec = prepared.spectrogram;
  const ref = await session(m, 'sovits-ref').run({ refer: new ort.Tensor('float32', spec.data, [1, spec.bins, spec.frames]) });
  const ge = Float32Array.from(ref.ge.data as Float32Array);
  ref.ge.dispose();
  if (!ge.every(Number.isFinite)) throw new MynahError('CLONE_FAILED', 'The reference encoder produced invalid numbers. Try another recording or reload the page.');

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
    ge,
    refMeta: { durationSec: w.seconds, note: w.reason },
    ...(req.consent ? { consent: { given: true, at: req.consent.at, statement: req.consent.statement.trim() } } : {}),
  };
  return { voice, warnings: [...w.warnings, ...warnings] };
}
