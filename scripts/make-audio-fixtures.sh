#!/usr/bin/env bash
# Writes the audio fixtures the tests use into test/fixtures/audio/. Run once by a maintainer; the
# output is committed, so tests (and a fresh clone) need none of these tools. See the README there.
#
#   apt-get install -y pocketsphinx-testdata espeak-ng sox lame
#   scripts/make-audio-fixtures.sh
#
# Made with eSpeak NG 1.51, SoX 14.4.2 and LAME 3.100 (Debian 12); other versions may write
# slightly different bytes, and the tests only rely on what the committed files contain.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/audio
mkdir -p "$out/librivox"

# Real speech: four public-domain LibriVox clips as Debian's pocketsphinx-testdata ships them
# (16 kHz, 16-bit mono WAV), copied unchanged.
librivox=/usr/share/pocketsphinx/test/data/librivox
for n in 0870 0880 0890 0930; do
  cp "$librivox/sense_and_sensibility_01_austen_64kb-$n.wav" "$out/librivox/"
done

# Synthetic speech for the fake microphone and the format imports: espeak-ng's 22.05 kHz WAV, and
# the same samples as FLAC, Ogg Vorbis (quality 6) and MP3 (96 kbit/s); then 2 s of near-silence
# (SoX's null input written at 16 bits carries its default dither, ±1 LSB). -R makes SoX's random
# numbers (that dither, Ogg serial numbers) the same on every run, so the script is repeatable.
TEXT='The quick brown fox jumps over the lazy dog. Mynah repeats what it hears.'
espeak-ng -w "$out/speech.wav" "$TEXT"
sox -R "$out/speech.wav" "$out/speech.flac"
sox -R "$out/speech.wav" -C 6 "$out/speech.ogg"
lame --quiet -b 96 "$out/speech.wav" "$out/speech.mp3"
sox -R -n -r 16000 -b 16 -c 1 "$out/silent.wav" trim 0 2
sox -R -n -r 44100 -c 1 "$out/silent.ogg" trim 0 2

(cd "$out" && sha256sum librivox/*.wav speech.* silent.* > SHA256SUMS)
ls -l "$out" "$out/librivox"
