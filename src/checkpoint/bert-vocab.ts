// The Chinese RoBERTa's vocabulary from the user's files: HF's vocab.txt (one token per line), or
// the tokenizer.json GPT-SoVITS ships in pretrained_models/chinese-roberta-wwm-ext-large/ (a fast
// tokenizer: WordPiece model with a token -> id map, BertNormalizer). Either gives the tokens in id
// order; the pack stores them as vocab.txt.
import { MynahError } from '../errors';
import { parseVocabText } from '../text/bert-tokenizer';

export interface BertVocab {
  tokens: string[];
  /** What tokenizer.json says about lower-casing (vocab.txt does not say). */
  lowercase?: boolean;
}

const invalid = (name: string, why: string) =>
  new MynahError('VOCAB_INVALID', `${name} is not a BERT vocabulary (${why}). Use vocab.txt or tokenizer.json from the chinese-roberta-wwm-ext-large folder.`);

function fromTokenizerJson(json: unknown, name: string): BertVocab {
  const model = (json as { model?: { type?: unknown; vocab?: unknown } })?.model;
  if (!model || typeof model.vocab !== 'object' || model.vocab === null || Array.isArray(model.vocab)) throw invalid(name, 'no model.vocab');
  if (model.type !== undefined && model.type !== 'WordPiece') throw invalid(name, `its model is ${String(model.type)}, not WordPiece`);
  const entries = Object.entries(model.vocab as Record<string, unknown>);
  const tokens = new Array<string>(entries.length);
  for (const [token, id] of entries) {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= entries.length || tokens[id as number] !== undefined) {
      throw invalid(name, `the id of ${JSON.stringify(token)} is ${String(id)}; ids must be 0..${entries.length - 1}, each once`);
    }
    tokens[id as number] = token;
  }
  const normalizer = (json as { normalizer?: { lowercase?: unknown } }).normalizer;
  return { tokens, lowercase: typeof normalizer?.lowercase === 'boolean' ? normalizer.lowercase : undefined };
}

/** Reads vocab.txt or tokenizer.json text; `name` is the file's name, for messages and the format. */
export function readBertVocab(text: string, name: string): BertVocab {
  const trimmed = text.trimStart();
  if (name.toLowerCase().endsWith('.json') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalid(name, 'not valid JSON');
    }
    return fromTokenizerJson(json, name);
  }
  if (text.includes('\0')) throw invalid(name, 'it is a binary file');
  const tokens = parseVocabText(text);
  if (tokens.length === 0) throw invalid(name, 'it is empty');
  return { tokens };
}
