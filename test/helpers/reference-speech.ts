// Real human speech for tests: a public-domain LibriVox clip (Debian's pocketsphinx-testdata),
// 7.1 s at 16 kHz, inside upstream's 3–10 s reference window, with its transcript.
import { existsSync, readFileSync } from 'node:fs';
import { parseWav } from '../../src/audio/wav';
import type { PcmAudio } from '../../src/audio/pcm';

export const REFERENCE_WAV = '/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav';
export const REFERENCE_TEXT = 'And mister John Dashwood had then leisure to consider how much there might be prudently in his power to do for them.';

export function referenceSpeech(): PcmAudio {
  if (!existsSync(REFERENCE_WAV)) throw new Error(`${REFERENCE_WAV} is missing: apt-get install -y pocketsphinx-testdata (.ci/run does)`);
  return parseWav(readFileSync(REFERENCE_WAV));
}
