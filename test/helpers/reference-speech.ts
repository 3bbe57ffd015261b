// Real human speech for tests: public-domain LibriVox clips committed under test/fixtures/audio/
// (see the README there for where they come from and their licence), with their transcripts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseWav } from '../../src/audio/wav';
import type { PcmAudio } from '../../src/audio/pcm';

/** test/fixtures/audio/: every audio file the tests use (scripts/make-audio-fixtures.sh wrote them). */
export const AUDIO_FIXTURES = fileURLToPath(new URL('../fixtures/audio/', import.meta.url));

/** 7.1 s at 16 kHz, inside upstream's 3–10 s reference window. */
export const REFERENCE_WAV = `${AUDIO_FIXTURES}librivox/sense_and_sensibility_01_austen_64kb-0870.wav`;
export const REFERENCE_TEXT = 'And mister John Dashwood had then leisure to consider how much there might be prudently in his power to do for them.';

/** 3.3 s at 16 kHz: the shortest reference upstream accepts, for quick end-to-end runs. */
export const SHORT_WAV = `${AUDIO_FIXTURES}librivox/sense_and_sensibility_01_austen_64kb-0930.wav`;
export const SHORT_TEXT = 'He might even have been made amiable himself.';

export function referenceSpeech(): PcmAudio {
  return parseWav(readFileSync(REFERENCE_WAV));
}
