import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { makeConsent, CONSENT_STATEMENT } from '../../src/safety/consent';
import { assertUnlocked, isLocked, lockVoice, unlockVoice } from '../../src/store/lock';
import { exportVoice, getVoice, importVoice, parseVoiceExport, saveVoice, VOICE_SCHEMA, type Voice } from '../../src/store/voices';

function voice(id: string): Voice {
  return {
    schema: VOICE_SCHEMA,
    id,
    name: `voice ${id}`,
    created: '2026-01-01T00:00:00Z',
    packId: 'tiny',
    modelVersion: 'v2',
    promptText: '你好，世界。',
    promptLang: 'zh',
    promptPhones: Int32Array.from([10, 20, 30, 40]),
    promptBert: Float32Array.from({ length: 8 }, (_, i) => Math.sin(i)),
    promptCodes: Int32Array.from([1, 2, 1023, 0, 77]),
    ge: Float32Array.from([0.5, -1.25, 3e-8, 42]),
    refMeta: { durationSec: 4.2 },
    consent: makeConsent(true, CONSENT_STATEMENT, new Date('2026-01-01T00:00:00Z')),
  };
}

const PASS = 'correct horse battery staple';

/** Flips one bit in a base64 field. */
function flip(b64: string, at = 3): string {
  const b = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  b[at % b.length] ^= 1;
  return btoa(String.fromCharCode(...b));
}

describe('locked voices', { timeout: 60_000 }, () => {
  it('round-trips, empties the sensitive fields and keeps the rest', async () => {
    const v = voice('a');
    const locked = await lockVoice(v, PASS);
    expect(isLocked(locked)).toBe(true);
    expect(locked.ge.length + locked.promptCodes.length + locked.promptPhones.length).toBe(0);
    expect(locked.promptBert).toBeUndefined();
    expect(locked.promptText).toBe('');
    expect(locked.name).toBe(v.name);
    expect(locked.consent).toEqual(v.consent);
    expect(locked.locked!.iterations).toBeGreaterThanOrEqual(600_000);
    expect(JSON.stringify(locked)).not.toContain('你好');
    expect(() => assertUnlocked(locked)).toThrow(expect.objectContaining({ code: 'VOICE_LOCKED' }));
    const open = await unlockVoice(locked, PASS);
    expect(open).toEqual(v);
    expect(isLocked(open)).toBe(false);
    expect(() => assertUnlocked(open)).not.toThrow();
    // Fresh salt and IV each time.
    const again = await lockVoice(v, PASS);
    expect(again.locked!.salt).not.toBe(locked.locked!.salt);
    expect(again.locked!.iv).not.toBe(locked.locked!.iv);
    expect(again.locked!.ciphertext).not.toBe(locked.locked!.ciphertext);
  });

  it('rejects a wrong passphrase as BAD_PASSPHRASE', async () => {
    const locked = await lockVoice(voice('b'), PASS);
    await expect(unlockVoice(locked, 'correct horse battery stapler')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    await expect(unlockVoice(locked, '')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    await expect(lockVoice(voice('b'), 'short')).rejects.toMatchObject({ code: 'WEAK_PASSPHRASE' });
  });

  it('reports tampered ciphertext, IV, salt, verifier or parameters as VOICE_TAMPERED', async () => {
    const locked = await lockVoice(voice('c'), PASS);
    const l = locked.locked!;
    for (const field of ['ciphertext', 'iv', 'salt', 'check'] as const) {
      const bad = { ...locked, locked: { ...l, [field]: flip(l[field]) } };
      await expect(unlockVoice(bad, PASS), field).rejects.toMatchObject({ code: 'VOICE_TAMPERED' });
    }
    await expect(unlockVoice({ ...locked, locked: { ...l, iterations: 1000 } }, PASS)).rejects.toMatchObject({ code: 'VOICE_TAMPERED' });
    await expect(unlockVoice({ ...locked, locked: { ...l, ciphertext: '%%%' } }, PASS)).rejects.toMatchObject({ code: 'VOICE_TAMPERED' });
  });

  it('catches tampering even when the checksum is rewritten to match (GCM tag)', async () => {
    const locked = await lockVoice(voice('d'), PASS);
    const l = locked.locked!;
    const { digest: _d, ...rec } = { ...l, ciphertext: flip(l.ciphertext, 20) };
    const input = new TextEncoder().encode(JSON.stringify(['mynah-voice-lock', rec.v, locked.id, rec.kdf, rec.iterations, rec.salt, rec.iv, rec.ciphertext, rec.check]));
    const digest = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', input))));
    await expect(unlockVoice({ ...locked, locked: { ...rec, digest } }, PASS)).rejects.toMatchObject({ code: 'VOICE_TAMPERED', message: expect.stringMatching(/authentication/) });
  });

  it('a ciphertext moved onto another voice does not unlock', async () => {
    const a = await lockVoice(voice('e1'), PASS);
    const b = await lockVoice(voice('e2'), PASS);
    await expect(unlockVoice({ ...b, locked: a.locked }, PASS)).rejects.toMatchObject({ code: 'VOICE_TAMPERED' });
    // Same, with the checksum recomputed for the new id: the voice id is GCM associated data.
    const { digest: _d, ...rec } = a.locked!;
    const input = new TextEncoder().encode(JSON.stringify(['mynah-voice-lock', rec.v, b.id, rec.kdf, rec.iterations, rec.salt, rec.iv, rec.ciphertext, rec.check]));
    const digest = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', input))));
    await expect(unlockVoice({ ...b, locked: { ...rec, digest } }, PASS)).rejects.toMatchObject({ code: 'VOICE_TAMPERED', message: expect.stringMatching(/authentication/) });
  });

  it('stays locked through the store and export/import, and validates lock and consent on import', async () => {
    const store = createStore('test-lock-voices', 'voices');
    const locked = await lockVoice(voice('f'), PASS);
    await saveVoice(locked, store);
    const stored = await getVoice('f', store);
    expect(isLocked(stored)).toBe(true);
    const text = exportVoice(stored);
    expect(text).not.toContain(btoa(String.fromCharCode(...new Uint8Array(voice('f').ge.buffer))));
    const round = parseVoiceExport(text);
    expect(round).toEqual(locked);
    expect(await unlockVoice(round, PASS)).toEqual(voice('f'));
    const broken = JSON.parse(text);
    delete broken.locked.iv;
    expect(() => parseVoiceExport(JSON.stringify(broken))).toThrow(expect.objectContaining({ code: 'VOICE_INVALID', message: expect.stringMatching(/lock record/) }));
    const noConsent = JSON.parse(exportVoice(voice('g')));
    noConsent.consent = { given: false, at: 'yesterday', statement: '' };
    await expect(importVoice(JSON.stringify(noConsent), store)).rejects.toMatchObject({ code: 'VOICE_INVALID', message: expect.stringMatching(/consent/) });
    // A locked voice can't take a fresh id on import (its ciphertext is bound to the id).
    expect(await importVoice(text, store)).toEqual(locked); // same voice again: no duplicate
    const other = await lockVoice(voice('f'), PASS);
    await expect(importVoice(exportVoice(other), store)).rejects.toMatchObject({ code: 'VOICE_EXISTS' });
    const unlockedImport = await importVoice(exportVoice(voice('h')), store);
    expect(unlockedImport.consent?.given).toBe(true);
  });

  it('consent needs an explicit confirmation', () => {
    expect(() => makeConsent(false)).toThrow(expect.objectContaining({ code: 'CONSENT_REQUIRED' }));
    const c = makeConsent(true, '  I agree.  ', new Date('2026-02-03T04:05:06Z'));
    expect(c).toEqual({ given: true, at: '2026-02-03T04:05:06.000Z', statement: 'I agree.' });
  });
});
