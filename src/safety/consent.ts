// Consent of the recorded speaker, asked before cloning from a recording and stored with the voice.
import { MynahError } from '../errors';
import type { VoiceConsent } from '../store/voices';

export const CONSENT_STATEMENT =
  'I am the person speaking in this recording, or I have their explicit permission, and I agree to a synthetic copy of this voice being made and used.';

/**
 * Builds the consent record to store on a new voice. `confirmed` must come from the speaker's own
 * action (a checkbox or button in the clone dialog); anything else throws CONSENT_REQUIRED.
 */
export function makeConsent(confirmed: boolean, statement: string = CONSENT_STATEMENT, at: Date = new Date()): VoiceConsent {
  if (confirmed !== true) {
    throw new MynahError('CONSENT_REQUIRED', 'Cloning a voice needs the speaker’s consent. Ask the person in the recording to confirm the consent statement.');
  }
  const s = statement.trim();
  if (!s) throw new MynahError('CONSENT_REQUIRED', 'The consent statement is empty. Show the speaker a statement to confirm.');
  return { given: true, at: at.toISOString(), statement: s };
}

/**
 * Checks a consent record handed to cloneVoice (it may come from page code or across the worker
 * boundary), so a malformed one fails before any model runs instead of when the voice is saved.
 */
export function assertConsent(c: unknown): asserts c is VoiceConsent {
  const r = c as Partial<VoiceConsent> | null;
  const ok = !!r && typeof r === 'object' && r.given === true && typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)) && typeof r.statement === 'string' && r.statement.trim() !== '';
  if (!ok) throw new MynahError('CONSENT_INVALID', 'The consent record is not valid. Build it with makeConsent(true) when the speaker confirms the consent statement.');
}
