// Passphrase-locked voices. WebCrypto only (globalThis.crypto.subtle: browsers and Node ≥ 20).
//
// lockVoice: PBKDF2-SHA256 (≥ 600 000 iterations, OWASP 2023) over a random 16-byte salt gives a
// 256-bit master secret; HKDF-SHA256 splits it into an AES-GCM-256 key and a passphrase verifier.
// The sensitive fields (promptText, promptPhones, promptBert, promptCodes, ge, refGes, refMel) are encrypted with
// a random 12-byte IV and the voice id as additional authenticated data, so a ciphertext copied
// onto another voice does not decrypt. The locked voice keeps its name, pack and metadata; its
// arrays are emptied.
//
// unlockVoice tells three failures apart:
//   1. the record's SHA-256 digest (over every lock field and the voice id) does not match →
//      VOICE_TAMPERED: damaged or edited, found before any key derivation;
//   2. the verifier does not match → BAD_PASSPHRASE;
//   3. AES-GCM authentication fails although the passphrase is right → VOICE_TAMPERED (someone
//      who also rewrote the digest changed the ciphertext, IV or id).
// The digest carries no secret: it separates accidents and naive edits from a wrong passphrase;
// the GCM tag is what protects the content.
import { MynahError } from '../errors';
import type { Voice, VoiceLock } from './voices';
import { checkPassphrase, LOCK_ITERATIONS_RANGE } from '../validate';

export const LOCK_ITERATIONS = LOCK_ITERATIONS_RANGE[0];
/**
 * Records asking for more are forged or damaged: refused as VOICE_TAMPERED before any key
 * derivation (a crafted file could otherwise stall the tab on millions of PBKDF2 rounds).
 */
const MAX_ITERATIONS = LOCK_ITERATIONS_RANGE[1];

const subtle = () => {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new MynahError('CRYPTO_UNAVAILABLE', 'This browser has no WebCrypto (it needs a secure https:// or localhost page). Open Mynah over https.');
  return s;
};

const enc = new TextEncoder();

function toB64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromB64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const b = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
  return b;
}

const arrB64 = (a: Int32Array | Float32Array) => toB64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

function arrFrom<T extends Int32Array | Float32Array>(s: unknown, Ctor: { new (b: ArrayBuffer): T }): T {
  if (typeof s !== 'string') throw new Error('missing array');
  const b = fromB64(s);
  if (b.length % 4) throw new Error('bad array length');
  return new Ctor(b.buffer);
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', bytes));
}

function recordDigestInput(id: string, l: Omit<VoiceLock, 'digest'>): Uint8Array<ArrayBuffer> {
  return enc.encode(JSON.stringify(['mynah-voice-lock', l.v, id, l.kdf, l.iterations, l.salt, l.iv, l.ciphertext, l.check]));
}

const aad = (id: string) => enc.encode(`mynah-voice-lock:v1:${id}`);

async function deriveKeys(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<{ key: CryptoKey; check: Uint8Array }> {
  const s = subtle();
  const base = await s.importKey('raw', enc.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  const master = await s.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, 256);
  const hk = await s.importKey('raw', master, 'HKDF', false, ['deriveBits', 'deriveKey']);
  const empty = new Uint8Array(0);
  const key = await s.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: empty, info: enc.encode('mynah-voice-lock/aes-gcm-256') }, hk, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const check = new Uint8Array(await s.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: empty, info: enc.encode('mynah-voice-lock/verifier') }, hk, 128));
  return { key, check };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export function isLocked(v: Voice): boolean {
  return v.locked !== undefined;
}

/** Throws VOICE_LOCKED when `v` is locked: call before using a voice for synthesis. */
export function assertUnlocked(v: Voice): void {
  if (isLocked(v)) throw new MynahError('VOICE_LOCKED', `The voice "${v.name}" is locked. Enter its passphrase to unlock it, then try again.`);
}

/**
 * Returns a locked copy of `voice`: sensitive fields encrypted under `passphrase` and emptied.
 * `iterations` can only be raised above LOCK_ITERATIONS.
 */
export async function lockVoice(voice: Voice, passphrase: string, iterations = LOCK_ITERATIONS): Promise<Voice> {
  if (isLocked(voice)) throw new MynahError('VOICE_LOCKED', `The voice "${voice.name}" is already locked.`);
  checkPassphrase(passphrase);
  if (passphrase.length < 8) throw new MynahError('WEAK_PASSPHRASE', 'Choose a passphrase of at least 8 characters.');
  if (!(Number.isInteger(iterations) && iterations >= LOCK_ITERATIONS && iterations <= MAX_ITERATIONS)) {
    throw new MynahError('OPTIONS_INVALID', `Lock iterations must be a whole number in [${LOCK_ITERATIONS}, ${MAX_ITERATIONS}]. Leave it out for the default.`);
  }
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const { key, check } = await deriveKeys(passphrase, salt, iterations);
  const secret = enc.encode(
    JSON.stringify({
      promptText: voice.promptText,
      promptPhones: arrB64(voice.promptPhones),
      promptCodes: arrB64(voice.promptCodes),
      ge: arrB64(voice.ge),
      promptBert: voice.promptBert ? arrB64(voice.promptBert) : undefined,
      refGes: voice.refGes ? arrB64(voice.refGes) : undefined,
      refMel: voice.refMel ? arrB64(voice.refMel) : undefined,
    }),
  );
  const ct = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: aad(voice.id) }, key, secret));
  const rec: Omit<VoiceLock, 'digest'> = { v: 1, kdf: 'PBKDF2-SHA256', iterations, salt: toB64(salt), iv: toB64(iv), ciphertext: toB64(ct), check: toB64(check) };
  const digest = toB64(await sha256(recordDigestInput(voice.id, rec)));
  const { promptBert: _bert, refGes: _refGes, refMel: _refMel, ...rest } = voice;
  return { ...rest, promptText: '', promptPhones: new Int32Array(0), promptCodes: new Int32Array(0), ge: new Float32Array(0), locked: { ...rec, digest } };
}

/** Decrypts a locked voice. BAD_PASSPHRASE for a wrong passphrase, VOICE_TAMPERED for altered data. */
export async function unlockVoice(voice: Voice, passphrase: string): Promise<Voice> {
  const l = voice.locked;
  if (!l) return voice;
  // Passphrases are well-formed Unicode: a lone surrogate would be encoded as U+FFFD, so two
  // different ill-formed passphrases could unlock the same voice.
  checkPassphrase(passphrase);
  const tampered = (why: string) =>
    new MynahError('VOICE_TAMPERED', `The locked voice "${voice.name}" has been altered or damaged (${why}), so it can't be unlocked. Import it again from the original export.`);
  const { digest, ...rec } = l;
  let salt: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>, ct: Uint8Array<ArrayBuffer>, check: Uint8Array, want: Uint8Array;
  try {
    want = fromB64(digest);
    salt = fromB64(l.salt);
    iv = fromB64(l.iv);
    ct = fromB64(l.ciphertext);
    check = fromB64(l.check);
  } catch {
    throw tampered('its lock record is not valid base64');
  }
  if (!sameBytes(await sha256(recordDigestInput(voice.id, rec)), want)) throw tampered('its lock record does not match its checksum');
  if (l.v !== 1 || l.kdf !== 'PBKDF2-SHA256' || !Number.isInteger(l.iterations) || !(l.iterations >= LOCK_ITERATIONS && l.iterations <= MAX_ITERATIONS) || salt.length !== 16 || iv.length !== 12) {
    throw tampered('its lock parameters are out of range');
  }
  // The verifier is 16 bytes of HKDF output; all-equal bytes (a zeroed field) never come from it.
  if (check.length !== 16 || check.every((b) => b === check[0])) throw tampered('its passphrase verifier is malformed');
  if (ct.length < 16) throw tampered('its encrypted data is too short');
  const keys = await deriveKeys(passphrase, salt, l.iterations);
  if (!sameBytes(keys.check, check)) throw new MynahError('BAD_PASSPHRASE', `That passphrase does not unlock "${voice.name}". Check it and try again.`);
  let plain: ArrayBuffer;
  try {
    plain = await subtle().decrypt({ name: 'AES-GCM', iv, additionalData: aad(voice.id) }, keys.key, ct);
  } catch {
    throw tampered('its encrypted data failed authentication');
  }
  try {
    const o = JSON.parse(new TextDecoder().decode(plain)) as Record<string, unknown>;
    const { locked: _locked, ...rest } = voice;
    const out: Voice = {
      ...rest,
      promptText: String(o.promptText ?? ''),
      promptPhones: arrFrom(o.promptPhones, Int32Array),
      promptCodes: arrFrom(o.promptCodes, Int32Array),
      ge: arrFrom(o.ge, Float32Array),
    };
    if (o.promptBert !== undefined) out.promptBert = arrFrom(o.promptBert, Float32Array);
    if (o.refGes !== undefined) out.refGes = arrFrom(o.refGes, Float32Array);
    if (o.refMel !== undefined) out.refMel = arrFrom(o.refMel, Float32Array);
    return out;
  } catch (e) {
    throw tampered(`its decrypted content is malformed: ${(e as Error).message}`);
  }
}
