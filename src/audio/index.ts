// Public API of Mynah's reference-audio module.
export { decodeAudioFile } from './decode';
export { startRecording, createPcmTap, type PcmTap, type LevelReading, type Recorder, type RecordOptions, type Recording } from './record';
export { StreamPlayer, type PlayerEvent, type PlayerOptions, type PlayerStats } from './player';
export { prepareReference, MAX_SOURCE_SECONDS, type PreparedReference, type PrepareOptions } from './prepare';
export { resample, resampledLength, HUBERT_RATE, SOVITS_RATE } from './resample';
export { referenceSpectrogram, spectrogramFrames, SPEC_BINS, SPEC_EPS_UPSTREAM, SPEC_EPS_ONNX_EXPORT, type Spectrogram } from './spectrogram';
export { hubertInput, checkReferenceLength, HUBERT_ZERO_PAD, HUBERT_MIN_SAMPLES, HUBERT_MAX_SAMPLES } from './hubert-input';
export { trimSilence, assertAudible, frameEnergy } from './trim';
export { pickReferenceWindow, type ReferenceWindow } from './window';
export { integratedLoudness, normalizeLoudness } from './loudness';
export { encodeWav, parseWav, type WavFormat } from './wav';
export { downmix, type PcmAudio } from './pcm';
export { crossCorrelate } from './fft';
export { sniffAudio } from './sniff';
