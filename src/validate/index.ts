// The one validation boundary. Every value a user, a page or a file can hand Mynah passes through a
// schema here before any work starts, and a failure is a MynahError with a code and what to do.
// valibot (modular, tree-shaken: only the validators used here reach the bundle) rather than
// hand-written checks scattered over the code.
import * as v from 'valibot';
import { MynahError } from '../errors';
import { MAX_VOICE_REFERENCES, MODEL_VERSIONS } from '../pack/versions';

// ---- limits (documented in the README, "What Mynah does with bad input") ----

/** Accepted sample rates of audio handed in (recordings, files, PCM). */
export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 384_000;
/** Longest audio any entry point takes, seconds (cloning itself uses at most 60 s). */
export const MAX_AUDIO_SECONDS = 600;
export const MAX_CHANNELS = 8;
/** Longest text synthesize takes (≈ 1.5 h of speech; processed fragment by fragment). */
export const MAX_TEXT_CHARS = 100_000;
/** Longest transcript of a reference recording (a 3–10 s window holds far less). */
export const MAX_PROMPT_CHARS = 1000;
export const MAX_NAME_CHARS = 200;
export const MAX_PASSPHRASE_CHARS = 1024;
/** Upstream's token cap per fragment (60 s at 25 Hz). */
export const MAX_TOKENS = 1500;
export const MAX_PAUSE_SEC = 10;
export const MAX_FRAGMENT_CHARS_OPTION = 10_000;
/** Operator content filter bounds (keeps the check linear and quick). */
export const MAX_DENY_TERMS = 10_000;
export const MAX_TERM_CHARS = 200;
export const MAX_RULES = 100;
export const MAX_ALLOW_IN = 50;

// ---- failing with a MynahError ----

function describe(issues: readonly v.BaseIssue<unknown>[]): string {
  const i = issues[0];
  const path = v.getDotPath(i);
  return `${path ? `${path}: ` : ''}${i.message}`;
}

/** Parses `value` with `schema`, or throws MynahError(code) naming the first problem and `fix`. */
export function parse<S extends v.GenericSchema>(schema: S, value: unknown, code: string, what: string, fix: string, labels: Record<string, string> = {}): v.InferOutput<S> {
  let r: v.SafeParseResult<S>;
  try {
    r = v.safeParse(schema, value, { abortEarly: true });
  } catch (e) {
    // A getter or proxy that throws while being read is bad input too.
    throw new MynahError(code, `${what} could not be read (${(e as Error)?.message ?? e}). ${fix}`);
  }
  if (r.success) return r.output;
  const top = r.issues[0].path?.[0]?.key;
  const label = typeof top === 'string' ? labels[top] : undefined;
  throw new MynahError(code, `${what} is not valid${label ? `: ${label} is malformed` : ''} (${describe(r.issues)}). ${fix}`);
}

// ---- building blocks ----

const finite = (msg = 'must be a finite number') => v.pipe(v.number(msg), v.finite(msg));
const int = (min: number, max: number, what = 'a whole number') => v.pipe(v.number(`must be ${what} in [${min}, ${max}]`), v.integer(`must be ${what} in [${min}, ${max}]`), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
const range = (min: number, max: number) => v.pipe(finite(`must be a finite number in [${min}, ${max}]`), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
/** Well-formed Unicode (no lone surrogates), at most `max` UTF-16 units. */
export const text = (max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.maxLength(max, `must be at most ${max} characters`),
    v.check((s) => isWellFormed(s), 'must be well-formed Unicode (it holds a lone surrogate)'),
  );
const isoDate = v.pipe(v.string(), v.maxLength(64), v.check((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date'));

export function isWellFormed(s: string): boolean {
  const f = (s as { isWellFormed?: () => boolean }).isWellFormed;
  if (f) return f.call(s);
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

const allFinite = (a: ArrayLike<number>) => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
};

// ---- audio ----

export const PcmAudioSchema = v.pipe(
  v.object({
    sampleRate: int(MIN_SAMPLE_RATE, MAX_SAMPLE_RATE, 'a sample rate in Hz'),
    channels: v.pipe(
      v.array(v.instance(Float32Array, 'must be a Float32Array of samples'), 'must be an array of Float32Array channels'),
      v.minLength(1, 'must hold at least one channel'),
      v.maxLength(MAX_CHANNELS, `must hold at most ${MAX_CHANNELS} channels`),
    ),
  }),
  v.check((a) => a.channels.every((c) => c.length <= MAX_AUDIO_SECONDS * a.sampleRate), `must be at most ${MAX_AUDIO_SECONDS} s long`),
  v.check((a) => a.channels.every((c) => c.length > 0), 'holds no samples'),
  v.check((a) => a.channels.every(allFinite), 'holds NaN or infinite samples'),
);

const AUDIO_FIX = `Use a recording or file of mono or stereo audio at ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz, at most ${MAX_AUDIO_SECONDS} s, with finite samples.`;

export function checkAudio<T>(audio: T, what = 'The audio'): T {
  parse(PcmAudioSchema, audio, 'AUDIO_INVALID', what, AUDIO_FIX);
  return audio; // the caller's arrays, not copies (they can be large)
}

// ---- cloning ----

const LANG = v.picklist(['auto', 'zh', 'ja', 'en'], 'must be one of auto, zh, ja, en');

const ConsentSchema = v.object({ given: v.literal(true, 'must be true'), at: isoDate, statement: v.pipe(text(4000), v.minLength(1, 'must not be empty')) });

export const CloneRequestSchema = v.object({
  audio: v.any(), // checked by checkAudio (it keeps the caller's arrays)
  promptText: v.pipe(text(MAX_PROMPT_CHARS), v.check((s) => s.trim().length > 0, 'is empty: type what the recording says')),
  promptLang: LANG,
  name: v.optional(text(MAX_NAME_CHARS)),
  prepare: v.optional(v.record(v.string(), v.unknown())),
  consent: v.optional(v.unknown()), // assertConsent: CONSENT_INVALID names what is wrong
  extraAudio: v.optional(v.pipe(v.array(v.any(), 'must be an array of recordings'), v.maxLength(MAX_VOICE_REFERENCES - 1, `must hold at most ${MAX_VOICE_REFERENCES - 1} recordings (${MAX_VOICE_REFERENCES} in all)`))),
});

export function checkCloneRequest<T extends { audio: unknown; extraAudio?: unknown[] }>(req: T): T {
  if (typeof req !== 'object' || req === null) throw new MynahError('CLONE_INVALID', 'cloneVoice needs { audio, promptText, promptLang }. Pass a recording and what it says.');
  const extra = (req as { extraAudio?: unknown }).extraAudio;
  if (Array.isArray(extra) && extra.length > MAX_VOICE_REFERENCES - 1) {
    throw new MynahError('TOO_MANY_REFERENCES', `A voice combines at most ${MAX_VOICE_REFERENCES} recordings; this one would have ${1 + extra.length}. Leave some out.`);
  }
  parse(CloneRequestSchema, req, 'CLONE_INVALID', 'The clone request', 'Pass a recording, its exact transcript (at most 1000 characters) and its language (auto, zh, ja or en).');
  checkAudio(req.audio, 'The reference recording');
  (req.extraAudio ?? []).forEach((a, i) => checkAudio(a, `Extra recording ${i + 1}`));
  return req;
}

export function checkReferenceList(audio: unknown): asserts audio is unknown[] {
  if (!Array.isArray(audio)) throw new MynahError('AUDIO_INVALID', 'Pass the recordings to add as an array. Choose at least one recording.');
  if (audio.length > MAX_VOICE_REFERENCES - 1) {
    throw new MynahError('TOO_MANY_REFERENCES', `A voice combines at most ${MAX_VOICE_REFERENCES} recordings; ${audio.length} more cannot be added. Leave some out.`);
  }
  audio.forEach((a, i) => checkAudio(a, `Recording ${i + 1}`));
}

// ---- ids, text, passphrases ----

export const VoiceIdSchema = v.pipe(text(128), v.minLength(1, 'must not be empty'));
export function checkVoiceId(id: unknown): string {
  return parse(VoiceIdSchema, id, 'VOICE_ID_INVALID', 'The voice id', 'Pick a voice from the library.');
}

export function checkText(t: unknown): string {
  if (typeof t === 'string' && t.length > MAX_TEXT_CHARS) {
    throw new MynahError('TEXT_TOO_LONG', `The text has ${t.length} characters; Mynah speaks at most ${MAX_TEXT_CHARS} at once. Split it into parts.`);
  }
  return parse(text(MAX_TEXT_CHARS), t, 'TEXT_INVALID', 'The text', 'Pass the words to speak as a string.');
}

export function checkPassphrase(p: unknown): string {
  return parse(text(MAX_PASSPHRASE_CHARS), p, 'PASSPHRASE_INVALID', 'The passphrase', `Type it again (at most ${MAX_PASSPHRASE_CHARS} characters of ordinary text).`);
}

// ---- synthesis options ----

export const StreamPlanSchema = v.pipe(
  v.object({ minChunk: int(1, MAX_TOKENS), overlap: int(0, 64), firstChunk: v.optional(int(1, MAX_TOKENS)) }),
  v.check((p) => p.overlap < p.minChunk && p.overlap < (p.firstChunk ?? p.minChunk), 'overlap must be smaller than minChunk and firstChunk'),
);

export const SynthesisOptionsSchema = v.object({
  lang: v.optional(LANG),
  cut: v.optional(v.picklist(['cut0', 'cut1', 'cut2', 'cut3', 'cut4', 'cut5'], 'must be one of cut0–cut5')),
  maxSegmentChars: v.optional(int(10, MAX_FRAGMENT_CHARS_OPTION)),
  seed: v.optional(int(0, 2 ** 32 - 1)),
  speed: v.optional(range(0.25, 4)),
  noiseScale: v.optional(range(0, 10)),
  pauseSec: v.optional(range(0, MAX_PAUSE_SEC)),
  stream: v.optional(v.union([v.literal(false), StreamPlanSchema], 'must be false or { minChunk, overlap, firstChunk? } with 0 ≤ overlap < minChunk, firstChunk')),
  maxTokens: v.optional(int(1, MAX_TOKENS)),
  sampleSteps: v.optional(int(1, 128)),
  topK: v.optional(int(1, 100_000)),
  topP: v.optional(v.pipe(range(0, 1), v.check((x) => x > 0, 'must be above 0'))),
  temperature: v.optional(v.pipe(range(0, 100), v.check((x) => x > 0, 'must be above 0'))),
  repetitionPenalty: v.optional(v.pipe(range(0, 100), v.check((x) => x > 0, 'must be above 0'))),
  passphrase: v.optional(text(MAX_PASSPHRASE_CHARS)),
});
export type CheckedSynthesisOptions = v.InferOutput<typeof SynthesisOptionsSchema>;

export function checkSynthesisOptions(o: unknown): CheckedSynthesisOptions {
  if (Array.isArray(o)) throw new MynahError('OPTIONS_INVALID', 'The speech settings must be an object of named settings, not a list. Pass { seed, speed, … }.');
  return parse(
    SynthesisOptionsSchema,
    o ?? {},
    'OPTIONS_INVALID',
    'The speech settings',
    'Use speed 0.25–4, top-k ≥ 1, 0 < top-p ≤ 1, temperature and repetition penalty above 0, noise 0–10, pause 0–10 s, max tokens 1–1500, sampling steps 1–128 (v3/v4), a whole seed ≥ 0.',
  );
}

// ---- voice records (stored and imported) ----

const Int32 = v.instance(Int32Array, 'must be an Int32Array');
const Float32 = v.pipe(v.instance(Float32Array, 'must be a Float32Array'), v.check((a) => allFinite(a), 'holds NaN or infinite numbers'));
const b64 = (max: number) => v.pipe(v.string('must be base64 text'), v.minLength(1, 'must not be empty'), v.maxLength(max), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'));

/** Lock parameters Mynah writes and reads; anything else is a forged or damaged record. */
export const LOCK_ITERATIONS_RANGE = [600_000, 2_000_000] as const;

export const VoiceLockSchema = v.object({
  v: v.literal(1),
  kdf: v.literal('PBKDF2-SHA256'),
  // Integer range only here; an out-of-range count is reported as tampering by unlockVoice.
  iterations: v.pipe(v.number(), v.integer()),
  salt: b64(64),
  iv: b64(64),
  ciphertext: b64(64 * 1024 * 1024),
  check: b64(64),
  digest: b64(64),
});

const RefMetaSchema = v.object({ durationSec: range(0, MAX_AUDIO_SECONDS), note: v.optional(text(1000)) });

/** Upper bounds that hold for every supported pack (the engine also checks against the loaded pack). */
const MAX_PHONE_ID = 1024;
const MAX_CODE = 1 << 16;
const MAX_PROMPT_ITEMS = 100_000;
const MAX_GE = 8192;
/** v3/v4 reference mel: 100 bins × at most 60 s at 100 frames/s. */
const MAX_REF_MEL = 100 * 6000;

export const VoiceSchema = v.pipe(
  v.object({
    schema: v.literal(1, 'must be 1 (this Mynah reads voice schema 1)'),
    id: VoiceIdSchema,
    name: text(MAX_NAME_CHARS),
    created: isoDate,
    packId: v.pipe(text(256), v.minLength(1)),
    modelVersion: v.picklist(MODEL_VERSIONS, `must be one of ${MODEL_VERSIONS.join(', ')}`),
    promptText: text(MAX_PROMPT_CHARS * 4),
    promptLang: v.pipe(v.string(), v.maxLength(8)),
    promptPhones: v.pipe(Int32, v.maxLength(MAX_PROMPT_ITEMS), v.check((a) => a.every((x) => x >= 0 && x < MAX_PHONE_ID), `phone ids must be in [0, ${MAX_PHONE_ID})`)),
    promptBert: v.optional(Float32),
    promptCodes: v.pipe(Int32, v.maxLength(MAX_PROMPT_ITEMS), v.check((a) => a.every((x) => x >= 0 && x < MAX_CODE), 'semantic codes must not be negative')),
    ge: v.pipe(Float32, v.maxLength(MAX_GE)),
    refGes: v.optional(v.pipe(Float32, v.maxLength(MAX_GE * MAX_VOICE_REFERENCES))),
    refMel: v.optional(v.pipe(Float32, v.maxLength(MAX_REF_MEL))),
    refMeta: RefMetaSchema,
    auxRefs: v.optional(v.pipe(v.array(RefMetaSchema), v.maxLength(MAX_VOICE_REFERENCES - 1))),
    consent: v.optional(ConsentSchema),
    locked: v.optional(VoiceLockSchema),
  }),
  v.check((x) => x.locked !== undefined || (x.promptCodes.length > 0 && x.promptPhones.length > 0 && x.ge.length > 0), 'an unlocked voice needs prompt codes, phones and a speaker embedding'),
  v.check((x) => !x.refMel || x.refMel.length % 100 === 0, 'its reference mel is not 100 mel bins wide'),
  v.check((x) => !x.promptBert || (x.promptPhones.length > 0 && x.promptBert.length % x.promptPhones.length === 0), 'its BERT features do not match its phones'),
  v.check((x) => !x.refGes || (x.ge.length > 0 && x.refGes.length % x.ge.length === 0 && x.refGes.length / x.ge.length >= 2 && x.refGes.length / x.ge.length <= MAX_VOICE_REFERENCES), 'its per-reference speaker embeddings do not match its speaker embedding'),
);
export type CheckedVoice = v.InferOutput<typeof VoiceSchema>;

const VOICE_LABELS: Record<string, string> = {
  locked: 'its lock record',
  consent: 'its consent record',
  ge: 'its speaker embedding',
  refGes: 'its per-reference speaker embeddings',
  refMel: 'its reference mel',
  promptCodes: 'its prompt semantic codes',
  promptPhones: 'its prompt phones',
  promptBert: 'its BERT features',
  created: 'its creation date',
  refMeta: 'its reference details',
  auxRefs: 'its extra reference details',
};

/** A stored or imported voice record, checked whole; VOICE_INVALID names the first problem. */
export function checkVoiceRecord(raw: unknown, what = 'This voice'): CheckedVoice {
  if ((raw as { schema?: unknown })?.schema !== 1 && typeof raw === 'object' && raw !== null) {
    throw new MynahError('VOICE_INVALID', `${what} uses schema ${String((raw as { schema?: unknown }).schema)}, which this version of Mynah cannot read. Update Mynah or export the voice again.`);
  }
  return parse(VoiceSchema, raw, 'VOICE_INVALID', what, 'Export the voice again from the Mynah that made it, or clone it again.', VOICE_LABELS);
}

// ---- content filter (operator options) ----

const DenyEntrySchema = v.union(
  [
    v.pipe(text(MAX_TERM_CHARS), v.minLength(1)),
    v.object({
      term: v.pipe(text(MAX_TERM_CHARS), v.minLength(1)),
      id: v.optional(text(100)),
      reason: v.optional(text(500)),
      allowIn: v.optional(v.pipe(v.array(text(MAX_TERM_CHARS)), v.maxLength(MAX_ALLOW_IN))),
    }),
  ],
  `must be a term (1–${MAX_TERM_CHARS} characters) or { term, id?, reason?, allowIn? }`,
);

export const ContentFilterOptionsSchema = v.object({
  enabled: v.optional(v.boolean()),
  useDefaultList: v.optional(v.boolean()),
  deny: v.optional(v.pipe(v.array(DenyEntrySchema), v.maxLength(MAX_DENY_TERMS, `must hold at most ${MAX_DENY_TERMS} terms`))),
  rules: v.optional(
    v.pipe(
      v.array(
        v.object({
          id: v.pipe(text(100), v.minLength(1)),
          reason: text(500),
          test: v.union([v.instance(RegExp), v.custom<(a: string, b: string) => boolean>((f) => typeof f === 'function')], 'must be a RegExp or a function'),
        }),
      ),
      v.maxLength(MAX_RULES, `must hold at most ${MAX_RULES} rules`),
    ),
  ),
});

export function checkFilterOptions(o: unknown): void {
  parse(ContentFilterOptionsSchema, o ?? {}, 'FILTER_INVALID', 'The content filter configuration', `Give deny as at most ${MAX_DENY_TERMS} terms of 1–${MAX_TERM_CHARS} characters, rules as at most ${MAX_RULES} { id, reason, test }.`);
}

// ---- watermark check ----

export const CheckOptionsSchema = v.object({ key: v.optional(v.pipe(text(1024), v.minLength(1))), maxSeconds: v.optional(v.pipe(range(0, 3600), v.check((x) => x > 0, 'must be above 0'))) });

export function checkWatermarkInput(audio: unknown, options: unknown): void {
  parse(CheckOptionsSchema, options ?? {}, 'OPTIONS_INVALID', 'The watermark check options', 'Give key as non-empty text and maxSeconds between 0 and 3600.');
  const isBytes = audio instanceof ArrayBuffer || audio instanceof Uint8Array || (typeof Blob !== 'undefined' && audio instanceof Blob);
  if (isBytes) return;
  if (typeof audio === 'object' && audio !== null && 'channels' in audio) {
    const rate = (audio as { sampleRate?: unknown }).sampleRate;
    if (typeof rate === 'number' && rate > 0 && rate < MIN_SAMPLE_RATE) return; // AUDIO_RATE, said by the check itself
    checkAudio(audio, 'The audio to check');
    return;
  }
  throw new MynahError('AUDIO_INVALID', 'Check a file (Blob, ArrayBuffer or Uint8Array) or decoded audio ({ sampleRate, channels }). Choose an audio file.');
}

// ---- packs ----

const dim = (max: number) => int(1, max);
export const T2SDimsSchema = v.object({ dim: dim(8192), heads: dim(256), layers: dim(128), ffn: dim(65536), phonemeVocab: dim(4096), vocab: dim(65536), bertDim: dim(8192) });
export const SoVITSDimsSchema = v.looseObject({ specBins: dim(8192), refBins: dim(8192), codebookSize: dim(65536), textVocab: dim(4096), hidden: dim(8192), inter: dim(8192), gin: dim(8192), layers: dim(128) });

export const SAMPLE_RATES = [16000, 22050, 24000, 32000, 44100, 48000] as const;

export const PackShapeSchema = v.object({
  manifest: v.looseObject({
    sampleRate: v.picklist(SAMPLE_RATES, `must be one of ${SAMPLE_RATES.join(', ')} Hz`),
    dims: v.looseObject({ t2s: T2SDimsSchema, sovits: SoVITSDimsSchema }),
  }),
  files: v.instance(Map, 'must be a Map of file name to bytes'),
  open: v.optional(v.custom<(n: string) => Promise<Uint8Array>>((f) => typeof f === 'function', 'must be a function')),
});

export function checkPackShape(pack: unknown): void {
  parse(PackShapeSchema, pack, 'PACK_CORRUPT', 'This model pack', 'Re-generate or re-download the pack.');
}

// ---- conversion ----

/** Largest checkpoint file accepted (the real-size v2 BERT is 1.3 GB). */
export const MAX_CHECKPOINT_BYTES = 4 * 1024 ** 3;
export const CONVERT_SLOTS = ['gpt', 'sovits', 'hubert', 'hubertConfig', 'roberta', 'robertaConfig', 'robertaVocab', 'sv', 'sovitsBase', 'vocoder', 'vocoderConfig'] as const;
const REQUIRED_SLOTS = ['gpt', 'sovits', 'hubert'];
const isBlob = (x: unknown): x is Blob => typeof Blob !== 'undefined' && x instanceof Blob;
const isByteSource = (x: unknown): x is { size: number } => {
  const s = x as { name?: unknown; size?: unknown; read?: unknown };
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.read === 'function' && Number.isSafeInteger(s.size) && (s.size as number) >= 0;
};

/** The converter's input: known slots only, each a Blob or byte source of a plausible size. */
export function checkConvertFiles(files: unknown): void {
  if (typeof files !== 'object' || files === null) throw new MynahError('CONVERT_INVALID', 'Choose the GPT (.ckpt), SoVITS (.pth) and HuBERT files to convert.');
  const o = files as Record<string, unknown>;
  for (const slot of REQUIRED_SLOTS) if (o[slot] === undefined || o[slot] === null) throw new MynahError('CONVERT_INVALID', `The ${slot} file is missing. Choose the GPT (.ckpt), SoVITS (.pth) and HuBERT files.`);
  for (const [slot, file] of Object.entries(o)) {
    if (file === undefined) continue;
    if (!(CONVERT_SLOTS as readonly string[]).includes(slot)) throw new MynahError('CONVERT_INVALID', `"${slot}" is not a file slot of the converter (${CONVERT_SLOTS.join(', ')}). Pass only those.`);
    if (!isBlob(file) && !isByteSource(file)) throw new MynahError('CONVERT_INVALID', `The ${slot} file is not a file. Choose the file again.`);
    if (file.size === 0) throw new MynahError('CHECKPOINT_TRUNCATED', `The ${slot} file is empty. Copy or download it again.`);
    if (file.size > MAX_CHECKPOINT_BYTES) throw new MynahError('CHECKPOINT_TOO_LARGE', `The ${slot} file is ${(file.size / 1024 ** 3).toFixed(1)} GB; Mynah reads at most 4 GB per file. Choose the model's own checkpoint.`);
  }
}

// ---- engine creation and pack URLs ----

export const EngineOptionsSchema = v.object({
  backend: v.optional(v.picklist(['auto', 'webgpu', 'wasm'], 'must be auto, webgpu or wasm')),
  precision: v.optional(v.picklist(['auto', 'fp32', 'fp16', 'int8'], 'must be auto, fp32, fp16 or int8')),
  contentFilter: v.optional(v.any()),
  watermarkKey: v.optional(v.pipe(text(1024), v.minLength(1, 'must not be empty'))),
  dicBase: v.optional(text(4096)),
  ortBase: v.optional(text(4096)),
});

export function checkEngineOptions(o: unknown): void {
  parse(EngineOptionsSchema, o ?? {}, 'OPTIONS_INVALID', 'The engine options', 'Use backend auto|webgpu|wasm, precision auto|fp32|fp16|int8 and a non-empty watermarkKey.');
  checkFilterOptions((o as { contentFilter?: unknown } | undefined)?.contentFilter);
}

/** A pack.json address: absolute http(s), file: or blob: URL of sane length. */
export function checkPackUrl(url: unknown): string {
  const u = parse(v.pipe(text(4096), v.minLength(1, 'must not be empty')), url, 'PACK_URL_INVALID', 'The pack address', 'Give the full address of a pack.json.');
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    throw new MynahError('PACK_URL_INVALID', `"${u.slice(0, 100)}" is not a full address. Give the full address of a pack.json (https://…/pack.json).`);
  }
  if (!['http:', 'https:', 'file:', 'blob:'].includes(parsed.protocol)) {
    throw new MynahError('PACK_URL_INVALID', `Packs are loaded over http(s), not ${parsed.protocol}. Give the https:// address of a pack.json.`);
  }
  return u;
}
