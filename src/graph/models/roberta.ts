// chinese-roberta-wwm-ext-large (hfl) as GPT-SoVITS uses it for Chinese BERT features: a BERT-large
// encoder whose third-from-last hidden state (hidden_states[-3], the output of layer L-2 of L) is
// taken, with the [CLS] and [SEP] rows dropped. Only the layers up to that state are in the graph.
//
// Graph I/O:
//   input  `input_ids` int64   [1, L]            tokenizer output including [CLS] ... [SEP], L <= 512
//   output `hidden`    float32 [L - 2, hidden]   one row per character (upstream then repeats rows
//                                                 per phone and transposes; that is done outside)
//
// The tokenizer's attention_mask (all ones) and token_type_ids (all zeros) are not inputs: an
// all-ones mask adds nothing to the attention scores, so no mask is applied, and every position
// gets row 0 of the token-type table. Positions are 0..L-1.
//
// Initializers are HF BertModel names (`embeddings.*`, `encoder.layer.{i}.*`); the MLM checkpoint
// prefixes them with `bert.`, which the checkpoint mapper strips.
import { Graph } from '../builder';
import { layerNorm, param } from '../ops/nn';
import { postNormEncoderLayer } from '../ops/encoder-blocks';
import type { WeightSource } from '../weights';

export interface RobertaConfig {
  vocab: number;
  hidden: number;
  heads: number;
  /** Layers of the full model; the graph runs the first `layers - 2` (hidden_states[-3]). */
  layers: number;
  ffn: number;
  maxPositions: number;
  typeVocab: number;
  eps: number;
}

export const ROBERTA_LARGE: RobertaConfig = {
  vocab: 21128,
  hidden: 1024,
  heads: 16,
  layers: 24,
  ffn: 4096,
  maxPositions: 512,
  typeVocab: 2,
  eps: 1e-12,
};

/** Same vocabulary and position limit (the tokenizer and max length stay valid), tiny widths. */
export const ROBERTA_TINY: RobertaConfig = {
  vocab: 21128,
  hidden: 32,
  heads: 2,
  layers: 4,
  ffn: 64,
  maxPositions: 512,
  typeVocab: 2,
  eps: 1e-12,
};

/** GPT-SoVITS reads hidden_states[-3]: the embeddings count as state 0, so layers - 2 layers run. */
export function robertaLayersUsed(cfg: RobertaConfig): number {
  return cfg.layers - 2;
}

export function bertLayerNames(i: number) {
  const p = `encoder.layer.${i}`;
  return {
    attention: { query: `${p}.attention.self.query`, key: `${p}.attention.self.key`, value: `${p}.attention.self.value`, out: `${p}.attention.output.dense` },
    attentionNorm: `${p}.attention.output.LayerNorm`,
    ffnIn: `${p}.intermediate.dense`,
    ffnOut: `${p}.output.dense`,
    ffnNorm: `${p}.output.LayerNorm`,
  };
}

/** BERT embeddings of ids [L] (int64): word + position (0..L-1) + token type 0, then LayerNorm. */
export function bertEmbeddings(g: Graph, ws: WeightSource, cfg: RobertaConfig, ids: string): string {
  const d = cfg.hidden;
  const init = { kind: 'normal', std: 0.02 } as const;
  const words = g.node('Gather', [param(g, ws, 'embeddings.word_embeddings.weight', [cfg.vocab, d], init), ids], { axis: 0 }); // [L, D]
  const positionTable = param(g, ws, 'embeddings.position_embeddings.weight', [cfg.maxPositions, d], init);
  const positions = g.node('Slice', [positionTable, g.ints([0]), g.node('Shape', [ids]), g.ints([0])]); // [L, D]
  const typeZero = g.node('Gather', [param(g, ws, 'embeddings.token_type_embeddings.weight', [cfg.typeVocab, d], init), g.int(0)], { axis: 0 }); // [D]
  const sum = g.node('Add', [g.node('Add', [words, positions]), typeZero]);
  return layerNorm(g, ws, sum, 'embeddings.LayerNorm', d, cfg.eps);
}

export function buildRoberta(cfg: RobertaConfig, ws: WeightSource): Graph {
  const g = new Graph('roberta');
  const inputIds = g.input('input_ids', 'int64', [1, 'L']);
  const ids = g.node('Squeeze', [inputIds, g.ints([0])]); // [L]
  let h = bertEmbeddings(g, ws, cfg, ids);
  const dims = { dim: cfg.hidden, heads: cfg.heads, ffn: cfg.ffn, eps: cfg.eps };
  for (let i = 0; i < robertaLayersUsed(cfg); i++) h = postNormEncoderLayer(g, ws, h, dims, bertLayerNames(i));
  const chars = g.node('Slice', [h, g.ints([1]), g.ints([-1]), g.ints([0])]); // drop [CLS] and [SEP]
  g.output(chars, 'hidden', 'float32', ['L_minus_2', cfg.hidden]);
  return g;
}
