// GPT-SoVITS model versions as data: what each needs and changes, so code asks the table
// instead of comparing version strings.
export type ModelVersion = 'v1' | 'v2' | 'v2Pro' | 'v2ProPlus';

export interface ModelFamily {
  /** The phone symbol table (and GPT) the version uses. */
  symbols: 'v1' | 'v2';
  /** v2Pro-family: the SoVITS fuses a speaker-verification embedding (an `sv` graph) into ge. */
  speakerVerification: boolean;
  /** Upstream's file names for the SoVITS weights, for messages. */
  label: string;
}

export const MODEL_FAMILIES: Record<ModelVersion, ModelFamily> = {
  v1: { symbols: 'v1', speakerVerification: false, label: 'GPT-SoVITS v1' },
  v2: { symbols: 'v2', speakerVerification: false, label: 'GPT-SoVITS v2' },
  v2Pro: { symbols: 'v2', speakerVerification: true, label: 'GPT-SoVITS v2Pro' },
  v2ProPlus: { symbols: 'v2', speakerVerification: true, label: 'GPT-SoVITS v2ProPlus' },
};

export const MODEL_VERSIONS = Object.keys(MODEL_FAMILIES) as ModelVersion[];

export const isModelVersion = (v: unknown): v is ModelVersion => typeof v === 'string' && v in MODEL_FAMILIES;

/** The file upstream ships the speaker-verification weights as. */
export const SV_CHECKPOINT_NAME = 'pretrained_eres2netv2w24s4ep4.ckpt';

/** Most reference recordings one voice combines (upstream's auxiliary references). */
export const MAX_VOICE_REFERENCES = 5;
