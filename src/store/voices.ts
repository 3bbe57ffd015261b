// Saved voices in IndexedDB (idb-keyval). A voice holds everything synthesis needs from the
// reference, so re-using it skips HuBERT, the reference encoder and g2p of the prompt.
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import { MynahError } from '../errors';
import type { ModelVersion } from '../pack/versions';
import { checkVoiceRecord } from '../validate';
import type { PronunciationEntry } from '../text/lexicon';

export const VOICE_SCHEMA = 1;

export interface VoiceRefMeta {
  /** Seconds of reference audio actually used (the chosen 3–10 s window). */
  durationSec: number;
  /** Why that window was chosen, for the UI. */
  note?: string;
}

/** The speaker's consent to cloning, recorded when the voice was made from a recording. */
export interface VoiceConsent {
  given: true;
  /** ISO 8601 time the consent was confirmed. */
  at: string;
  /** The exact statement the person confirmed. */
  statement: string;
}

/**
 * A passphrase-locked voice (see src/store/lock.ts): the sensitive fields (promptText,
 * promptPhones, promptBert, promptCodes, ge) are encrypted into `ciphertext` and emptied.
 * Binary fields are base64.
 */
export interface VoiceLock {
  v: 1;
  kdf: 'PBKDF2-SHA256';
  iterations: number;
  salt: string;
  iv: string;
  ciphertext: string;
  /** Passphrase verifier: HKDF of the PBKDF2 output, tells a wrong passphrase from tampering. */
  check: string;
  /** SHA-256 over the record and the voice id: catches damaged or edited records before any KDF work. */
  digest: string;
}

export interface Voice {
  schema: typeof VOICE_SCHEMA;
  id: string;
  name: string;
  created: string;
  /** The pack whose networks produced the codes and ge; the voice only works with that pack. */
  packId: string;
  modelVersion: ModelVersion;
  promptText: string;
  promptLang: string;
  /** Phone ids of the prompt text (symbol table of modelVersion). */
  promptPhones: Int32Array;
  /** BERT features of the prompt [bertDim, promptPhones.length], absent = zeros. */
  promptBert?: Float32Array;
  /** Prompt semantic codes (25 Hz). */
  promptCodes: Int32Array;
  /**
   * Speaker embedding from the SoVITS reference encoder, [gin]: what speaking uses. v2Pro family:
   * the fused ge (reference encoder + speaker verification, after PReLU). Several references: the
   * mean of their ge's, as upstream combines auxiliary references.
   */
  ge: Float32Array;
  /**
   * With more than one reference recording: each reference's ge, [references, gin] row-major
   * (the first is the main reference), so more can be added later. Absent = just `ge`.
   */
  refGes?: Float32Array;
  /**
   * v3/v4: the main reference's log-mel [bins, frames] (upstream's mel_fn / mel_fn_v4 of the reference
   * at the version's mel rate), the flow-matching decoder's prompt. Absent for other versions.
   */
  refMel?: Float32Array;
  /** The main reference (its codes and transcript prompt the GPT). */
  refMeta: VoiceRefMeta;
  /** The extra references that only shape ge, in the order they were added. */
  auxRefs?: VoiceRefMeta[];
  /** Consent of the recorded speaker, when cloned from a recording. */
  consent?: VoiceConsent;
  /** Present when the voice is locked with a passphrase; its arrays are then empty. */
  locked?: VoiceLock;
}

let defaultStore: UseStore | undefined;
/** The app's voice store; tests pass their own. */
export function voiceStore(): UseStore {
  return (defaultStore ??= createStore('mynah-voices', 'voices'));
}

export async function saveVoice(voice: Voice, store = voiceStore()): Promise<void> {
  checkVoice(voice);
  try {
    await set(voice.id, voice, store);
  } catch (e) {
    if ((e as DOMException)?.name === 'QuotaExceededError') {
      throw new MynahError('QUOTA_EXCEEDED', 'The browser has no room left to save this voice. Delete unused voices or model packs and try again.');
    }
    throw e;
  }
}

export async function getVoice(id: string, store = voiceStore()): Promise<Voice> {
  if (typeof id !== 'string' || !id) throw new MynahError('VOICE_NOT_FOUND', 'No voice id was given. Pick a voice from the library or clone a new one.');
  const raw = await get(id, store);
  if (raw === undefined) throw new MynahError('VOICE_NOT_FOUND', `No saved voice has the id ${id.slice(0, 100)}. Pick a voice from the library or clone a new one.`);
  const v = migrate(raw);
  if (v.id !== id) throw new MynahError('VOICE_INVALID', `The saved voice under ${id.slice(0, 100)} names itself ${v.id.slice(0, 100)}. Delete it and import it again.`);
  return v;
}

/** A stored record the library could not read: reported, skipped, never in the way of the others. */
export interface SkippedVoice {
  key: string;
  code: string;
  message: string;
}

/** Every readable voice, oldest first, and the records that were skipped (with why). */
export async function listVoicesReport(store = voiceStore()): Promise<{ voices: Voice[]; skipped: SkippedVoice[] }> {
  const ids = await keys(store);
  const voices: Voice[] = [];
  const skipped: SkippedVoice[] = [];
  for (const id of ids) {
    try {
      voices.push(await getVoice(String(id), store));
    } catch (e) {
      skipped.push({ key: String(id).slice(0, 200), code: (e as MynahError).code ?? 'VOICE_INVALID', message: (e as Error).message });
    }
  }
  voices.sort((a, b) => a.created.localeCompare(b.created));
  return { voices, skipped };
}

/** Every readable voice, oldest first; unreadable records are skipped (listVoicesReport says which). */
export async function listVoices(store = voiceStore()): Promise<Voice[]> {
  const { voices, skipped } = await listVoicesReport(store);
  if (skipped.length) console.warn(`Mynah: skipped ${skipped.length} unreadable voice record(s): ${skipped.map((s) => `${s.key} (${s.message})`).join('; ')}`);
  return voices;
}

export async function deleteVoice(id: string, store = voiceStore()): Promise<void> {
  await del(id, store);
}

export async function renameVoice(id: string, name: string, store = voiceStore()): Promise<Voice> {
  const v = await getVoice(id, store);
  const renamed = { ...v, name: name.trim() || v.name };
  await saveVoice(renamed, store);
  return renamed;
}

/**
 * Upgrades a stored record to the current schema (only schema 1 exists so far) and checks it whole
 * with the one voice schema (src/validate): types, lengths, ranges and finiteness.
 */
function migrate(raw: unknown): Voice {
  checkVoiceRecord(raw, 'A saved voice');
  return raw as Voice;
}

function checkVoice(v: Voice): void {
  checkVoiceRecord(v);
  const bad = (why: string) => new MynahError('VOICE_INVALID', `This voice is not usable: ${why}.`);
  if (v.consent !== undefined) {
    const c = v.consent as Partial<VoiceConsent>;
    if (c.given !== true || typeof c.at !== 'string' || Number.isNaN(Date.parse(c.at)) || typeof c.statement !== 'string' || !c.statement) throw bad('its consent record is malformed');
  }
  if (v.locked !== undefined) {
    const l = v.locked as Partial<VoiceLock>;
    const str = (x: unknown) => typeof x === 'string' && x.length > 0;
    if (l.v !== 1 || l.kdf !== 'PBKDF2-SHA256' || !Number.isInteger(l.iterations) || !str(l.salt) || !str(l.iv) || !str(l.ciphertext) || !str(l.check) || !str(l.digest)) {
      throw bad('its lock record is malformed');
    }
    return; // the arrays are inside the ciphertext
  }
  if (!(v.promptCodes instanceof Int32Array) || v.promptCodes.length === 0) throw bad('it has no prompt semantic codes');
  if (!(v.promptPhones instanceof Int32Array) || v.promptPhones.length === 0) throw bad('it has no prompt phones');
  if (!(v.ge instanceof Float32Array) || v.ge.length === 0 || !v.ge.every(Number.isFinite)) throw bad('its speaker embedding is missing or not finite');
  if (v.promptBert && v.promptBert.length % v.promptPhones.length !== 0) throw bad('its BERT features do not match its phones');
  if (v.refGes !== undefined) {
    if (!(v.refGes instanceof Float32Array) || v.refGes.length % v.ge.length !== 0 || v.refGes.length / v.ge.length < 2 || !v.refGes.every(Number.isFinite)) {
      throw bad('its per-reference speaker embeddings do not match its speaker embedding');
    }
  }
}

// ---- export / import: one self-describing JSON file ----

const EXPORT_KIND = 'mynah-voice';

function b64(a: Int32Array | Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function unb64<T extends Int32Array | Float32Array>(s: unknown, Ctor: { new (b: ArrayBuffer): T }): T {
  if (typeof s !== 'string') throw new Error('missing array');
  if (s.length > 64 * 1024 * 1024) throw new Error('array too large');
  const bin = atob(s);
  if (bin.length % 4) throw new Error('array bytes not a multiple of 4');
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Ctor(bytes.buffer);
}

export function exportVoice(v: Voice, pronunciations?: readonly PronunciationEntry[]): string {
  return JSON.stringify({
    kind: EXPORT_KIND,
    ...v,
    ...(pronunciations?.length ? { pronunciations } : {}),
    promptPhones: b64(v.promptPhones),
    promptCodes: b64(v.promptCodes),
    ge: b64(v.ge),
    promptBert: v.promptBert ? b64(v.promptBert) : undefined,
    refGes: v.refGes ? b64(v.refGes) : undefined,
    refMel: v.refMel ? b64(v.refMel) : undefined,
  });
}

/** Parses an exported voice file. Throws VOICE_INVALID (nothing is saved) when it is not one. */
export function parseVoiceExport(text: string): Voice {
  if (typeof text !== 'string') throw new MynahError('VOICE_INVALID', 'Import reads the text of a .mynah-voice.json file. Choose such a file.');
  if (text.length > 128 * 1024 * 1024) throw new MynahError('VOICE_INVALID', 'This file is far larger than any voice export. Choose a .mynah-voice.json file.');
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text);
  } catch {
    throw new MynahError('VOICE_INVALID', 'This file is not a Mynah voice export (not JSON). Choose a .mynah-voice.json file.');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o) || o.kind !== EXPORT_KIND) throw new MynahError('VOICE_INVALID', 'This file is not a Mynah voice export. Choose a .mynah-voice.json file.');
  try {
    const { kind: _kind, pronunciations: _p, ...rest } = o;
    const v = migrate({
      ...rest,
      promptPhones: unb64(o.promptPhones, Int32Array),
      promptCodes: unb64(o.promptCodes, Int32Array),
      ge: unb64(o.ge, Float32Array),
      promptBert: o.promptBert === undefined ? undefined : unb64(o.promptBert, Float32Array),
      refGes: o.refGes === undefined ? undefined : unb64(o.refGes, Float32Array),
      refMel: o.refMel === undefined ? undefined : unb64(o.refMel, Float32Array),
    });
    checkVoice(v);
    return v;
  } catch (e) {
    if (e instanceof MynahError) throw e;
    throw new MynahError('VOICE_INVALID', `This voice file is damaged (${(e as Error).message}). Export the voice again.`);
  }
}

/** The personal pronunciation list carried by a voice export ([] when none or unreadable). */
export function pronunciationsInExport(text: string): unknown[] {
  try {
    const o = JSON.parse(text);
    return Array.isArray(o?.pronunciations) ? o.pronunciations : [];
  } catch {
    return [];
  }
}

/** Imports an exported voice; an id already in the library gets a fresh id rather than overwriting. */
export async function importVoice(text: string, store = voiceStore()): Promise<Voice> {
  const v = parseVoiceExport(text);
  const existing = (await get(v.id, store)) as Voice | undefined;
  const taken = existing !== undefined;
  if (taken && v.locked) {
    // A locked voice's ciphertext is bound to its id, so it can't take a fresh one.
    if ((existing as Voice | null)?.locked?.digest === v.locked.digest) return migrate(existing);
    throw new MynahError('VOICE_EXISTS', `A voice with the same id as the locked voice "${v.name}" is already in your library. Delete that voice first, then import again.`);
  }
  const imported = taken ? { ...v, id: crypto.randomUUID(), name: `${v.name} (imported)` } : v;
  await saveVoice(imported, store);
  return imported;
}
