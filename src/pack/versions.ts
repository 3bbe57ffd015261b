// GPT-SoVITS model versions as data: what each needs and changes, so code asks the table
// instead of comparing version strings.
export type ModelVersion = 'v1' | 'v2' | 'v2Pro' | 'v2ProPlus' | 'v3' | 'v4';

/**
 * v3/v4: the SoVITS half ends in a condition for a flow-matching decoder (CFM with a DiT, run for
 * N sampling steps on a mel spectrogram) and a separate vocoder (TTS.py using_vocoder_synthesis).
 */
export interface FlowMatching {
  /** SynthesizerTrnV3: nearest upsampling after the bridge (×1.875 v3, ×2 v4). */
  feaUpsample: number;
  /** decode_encp's wns1 length per semantic code (3.875 v3, 4 v4). */
  framesPerCode: number;
  /** The reference mel (TTS.py mel_fn / mel_fn_v4): the reference resampled to `sampleRate`. */
  mel: { sampleRate: number; nFft: number; hop: number; win: number; bins: number };
  /** init_vocoder: output rate, samples per mel frame, prompt frames kept (T_ref), frames per CFM chunk (T_chunk). */
  outputRate: number;
  samplesPerFrame: number;
  tRef: number;
  tChunk: number;
  /** Sampling steps the upstream web UI starts with (api_v2 takes 32 for both). */
  defaultSteps: number;
  /** The vocoder upstream pairs with the version and the file it loads it from. */
  vocoder: 'bigvgan' | 'hifigan';
  vocoderFile: string;
  /** The pretrained SoVITS a LoRA fine-tune is merged onto. */
  baseFile: string;
  /**
   * Mel frames of context on each side when the mel is vocoded in pieces (streaming): beyond the
   * vocoder's reach, so the pieces join into what one call on the whole mel gives.
   */
  vocoderContext: number;
}

export interface ModelFamily {
  /** The phone symbol table (and GPT) the version uses. */
  symbols: 'v1' | 'v2';
  /** v2Pro-family: the SoVITS fuses a speaker-verification embedding (an `sv` graph) into ge. */
  speakerVerification: boolean;
  /** Upstream's file names for the SoVITS weights, for messages. */
  label: string;
  /** v3/v4 only: the flow-matching decoder and vocoder. */
  flowMatching?: FlowMatching;
}

const V4_FLOW: FlowMatching = {
  feaUpsample: 2,
  framesPerCode: 4,
  mel: { sampleRate: 32000, nFft: 1280, hop: 320, win: 1280, bins: 100 },
  outputRate: 48000,
  samplesPerFrame: 480,
  tRef: 500,
  tChunk: 1000,
  defaultSteps: 8,
  vocoder: 'hifigan',
  vocoderFile: 'vocoder.pth',
  baseFile: 's2Gv4.pth',
  vocoderContext: 16,
};

const V3_FLOW: FlowMatching = {
  feaUpsample: 1.875,
  framesPerCode: 3.875,
  mel: { sampleRate: 24000, nFft: 1024, hop: 256, win: 1024, bins: 100 },
  outputRate: 24000,
  samplesPerFrame: 256,
  tRef: 468,
  tChunk: 934,
  defaultSteps: 32,
  vocoder: 'bigvgan',
  vocoderFile: 'bigvgan_generator.pt',
  baseFile: 's2Gv3.pth',
  vocoderContext: 48,
};

export const MODEL_FAMILIES: Record<ModelVersion, ModelFamily> = {
  v1: { symbols: 'v1', speakerVerification: false, label: 'GPT-SoVITS v1' },
  v2: { symbols: 'v2', speakerVerification: false, label: 'GPT-SoVITS v2' },
  v2Pro: { symbols: 'v2', speakerVerification: true, label: 'GPT-SoVITS v2Pro' },
  v2ProPlus: { symbols: 'v2', speakerVerification: true, label: 'GPT-SoVITS v2ProPlus' },
  v3: { symbols: 'v2', speakerVerification: false, label: 'GPT-SoVITS v3', flowMatching: V3_FLOW },
  v4: { symbols: 'v2', speakerVerification: false, label: 'GPT-SoVITS v4', flowMatching: V4_FLOW },
};

export const MODEL_VERSIONS = Object.keys(MODEL_FAMILIES) as ModelVersion[];

export const isModelVersion = (v: unknown): v is ModelVersion => typeof v === 'string' && v in MODEL_FAMILIES;

/** The file upstream ships the speaker-verification weights as. */
export const SV_CHECKPOINT_NAME = 'pretrained_eres2netv2w24s4ep4.ckpt';

/** Most reference recordings one voice combines (upstream's auxiliary references). */
export const MAX_VOICE_REFERENCES = 5;
