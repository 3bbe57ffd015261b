// The library build (`npm run build:lib` -> dist-lib/mynah.js + types): the embeddable elements
// and the engine client. The run-time files (ort/, ja/, the default pack in packs/<id>/) are copied next to
// mynah.js, and everything finds them there, wherever the library is hosted.
import './lib-base';
import { Mynah as Client, type MynahOptions } from './client';
import type { FetchProgress } from './pack/fetch';
import type { PackSummary } from './engine/engine';
import { DEFAULT_PACK_PATH } from './pack/default';
import { assetUrl, setAssetBase } from './ui/assets';

export { MynahSpeak, type SpeakEndDetail, type SpeakProgressDetail, type SpeakReadyDetail, type SpeakState } from './ui/mynah-speak';
export { MynahStudio } from './ui/mynah-studio';
export { SpeechStream, type MynahOptions } from './client';
export type { AudioChunk, BackendInfo, BackendRequest, CloneResult, PackSummary, SynthesisOptions, SynthesisReport, Voice } from './client';
export { MynahError } from './errors';
export type { FetchProgress } from './pack/fetch';
export type { ConvertFiles, ConvertProgress, ConvertReport } from './pack/convert';
export type { PackManifest } from './pack/manifest';
export type { CutMethod, LangMode } from './text/segment';
export { StreamPlayer, decodeAudioFile, encodeWav, prepareReference, startRecording, type PcmAudio, type Recorder, type Recording } from './audio/index';
export { setAssetBase };
export { detectWatermark, CHECK_MAX_SECONDS, type CheckOptions, type WatermarkCheck } from './safety/check';
export { DEFAULT_WATERMARK_KEY, voiceIdHash } from './safety/watermark';
export { CONSENT_STATEMENT, makeConsent } from './safety/consent';
export type { VoiceConsent } from './store/voices';
export { MynahCheckPanel } from './ui/check-panel';

/** The shipped default pack's pack.json, beside the library (the tiny demo pack unless the build named another). */
export const DEFAULT_PACK_URL: string = assetUrl(DEFAULT_PACK_PATH)!;

/** The engine client; see the README. Same API as the app's, with defaults beside the library. */
export type Mynah = Client;
export const Mynah = {
  /** Starts the engine in its own worker. */
  async create(options: MynahOptions = {}): Promise<Client> {
    const client = await Client.create({ ortBase: assetUrl('ort/'), dicBase: assetUrl('ja/'), ...options });
    // loadPack() with no URL means the pack shipped beside the library, not beside the page.
    const load = client.loadPack.bind(client);
    client.loadPack = (url: string = DEFAULT_PACK_URL, onProgress?: (p: FetchProgress) => void): Promise<PackSummary> => load(url, onProgress);
    return client;
  },
  /** Looks for Mynah's watermark in an audio file or PCM; no engine needed. */
  detectWatermark: Client.detectWatermark,
};
