// GPT-SoVITS T2S ("GPT", text -> semantic tokens) as three ONNX graphs. The engine runs the
// embed graph once, then the decoder for the prefill and once per generated token, keeping the
// K/V cache itself (src/engine/t2s-decode.ts). Only the audio token table and its alpha appear
// in two graphs; the transformer stack exists once, in the decoder.
//
// buildT2SPrefillEmbed -> graph "t2s_embed"
//   in   phones  int64   [X]
//        bert    float32 [bertDim, X]    (upstream layout: phones on the last axis)
//        prompt  int64   [Y]             (Y >= 1: reference semantic tokens)
//   out  x       float32 [X+Y, dim]      text part then audio part, each with its own
//                                        positions 0.. and its own alpha
// buildT2STokenEmbed -> graph "t2s_token"
//   in   token    int64  [1]
//        position int64  [1]             absolute audio position (prompt is 0..Y-1, the k-th
//                                        generated token goes in at Y+k)
//   out  x        float32 [1, dim]
// buildT2SDecoder -> graph "t2s_decoder"
//   in   x         float32 [n, dim]      rows at absolute positions P..P+n-1
//        past_k_i  float32 [P, dim]      cached keys of layer i = 0..layers-1 (P may be 0)
//        past_v_i  float32 [P, dim]      cached values of layer i
//        text_len  int64   [1]           X, the number of text rows at the sequence start
//   out  logits    float32 [1, vocab]    from the last row only
//        new_k     float32 [layers, n, dim]  this call's K rows (append new_k[i] to past_k_i)
//        new_v     float32 [layers, n, dim]
//   One cache input per layer: picking a layer out of a packed [P, layers, dim] cache is a strided
//   copy of the whole cache every step (~3 ms per step at P = 400 on WASM). Packs built before
//   this (packed past_k/past_v [P, layers, dim], new_k [n, layers, dim]) still run:
//   the engine reads the layout from the graph's input names (decoderCacheLayout).
//
// Upstream: Text2SemanticDecoder in GPT_SoVITS/AR/models/t2s_model.py (post-norm layers,
// ReLU FFN, LayerNorm eps 1e-5, no final norm, EOS = vocab - 1).
import { Graph } from '../builder';
import { linear2d, param } from '../ops/nn';
import { cachedSelfAttention, dimAsFloat, dimOf, textAudioAttentionBias } from '../ops/t2s-attention';
import { fanIn, type Init, type WeightSource } from '../weights';

export interface T2SConfig {
  /** Model width (embedding_dim = hidden_dim). */
  dim: number;
  heads: number;
  layers: number;
  /** FFN width (upstream hard-wires 4 × dim). */
  ffn: number;
  /** Phoneme symbol table size: 512 (v1) or 732 (v2). */
  phonemeVocab: number;
  /** Semantic vocabulary incl. EOS (= vocab - 1). */
  vocab: number;
  /** Width of the BERT features fed in (bert_proj input). */
  bertDim: number;
}

export const T2S_V2: T2SConfig = { dim: 512, heads: 16, layers: 24, ffn: 2048, phonemeVocab: 732, vocab: 1025, bertDim: 1024 };
export const T2S_V1: T2SConfig = { ...T2S_V2, phonemeVocab: 512 };
export const T2S_TINY: T2SConfig = { dim: 32, heads: 2, layers: 2, ffn: 64, phonemeVocab: 732, vocab: 1025, bertDim: 1024 };

export const t2sEos = (cfg: T2SConfig) => cfg.vocab - 1;

// Initialisations only matter for random (test / generated) weights; they are chosen so every
// parameter is distinguishable in tests (no all-ones scales or all-zero biases).
const embeddingInit: Init = { kind: 'normal', std: 1 };
const alphaInit: Init = { kind: 'normal', mean: 1, std: 0.3 };
const normScaleInit: Init = { kind: 'normal', mean: 1, std: 0.1 };
const normBiasInit: Init = { kind: 'normal', std: 0.1 };

const layerPrefix = (i: number) => `h.layers.${i}`;

/** Every upstream parameter the three graphs use, with its shape (names without `model.`). */
export function t2sParameterShapes(cfg: T2SConfig): [string, number[]][] {
  const { dim, ffn } = cfg;
  const out: [string, number[]][] = [
    ['ar_text_embedding.word_embeddings.weight', [cfg.phonemeVocab, dim]],
    ['bert_proj.weight', [dim, cfg.bertDim]],
    ['bert_proj.bias', [dim]],
    ['ar_text_position.alpha', [1]],
    ['ar_audio_embedding.word_embeddings.weight', [cfg.vocab, dim]],
    ['ar_audio_position.alpha', [1]],
  ];
  for (let i = 0; i < cfg.layers; i++) {
    const p = layerPrefix(i);
    out.push(
      [`${p}.self_attn.in_proj_weight`, [3 * dim, dim]],
      [`${p}.self_attn.in_proj_bias`, [3 * dim]],
      [`${p}.self_attn.out_proj.weight`, [dim, dim]],
      [`${p}.self_attn.out_proj.bias`, [dim]],
      [`${p}.linear1.weight`, [ffn, dim]],
      [`${p}.linear1.bias`, [ffn]],
      [`${p}.linear2.weight`, [dim, ffn]],
      [`${p}.linear2.bias`, [dim]],
      [`${p}.norm1.weight`, [dim]],
      [`${p}.norm1.bias`, [dim]],
      [`${p}.norm2.weight`, [dim]],
      [`${p}.norm2.bias`, [dim]],
    );
  }
  out.push(['ar_predict_layer.weight', [cfg.vocab, dim]]);
  return out;
}

/** Names of every upstream parameter the three T2S graphs use (checkpoint keys minus `model.`). */
export function t2sParameterNames(cfg: T2SConfig): string[] {
  return t2sParameterShapes(cfg).map(([name]) => name);
}

/** Upstream's parameter count for `cfg`, from the shapes above. */
export function t2sParameterCount(cfg: T2SConfig): number {
  return t2sParameterShapes(cfg).reduce((n, [, dims]) => n + dims.reduce((a, b) => a * b, 1), 0);
}

/** pe[·, 2i] = sin(pos·f_i), pe[·, 2i+1] = cos(pos·f_i), f_i = 10000^(-2i/dim), for float positions [n]. */
export function sinePositions(g: Graph, positions: string, dim: number): string {
  const freq = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) freq[i] = Math.exp(2 * i * -(Math.log(10000) / dim));
  const angle = g.node('Mul', [g.node('Unsqueeze', [positions, g.ints([1])]), g.constant(freq)]); // [n, dim/2]
  const sin = g.node('Unsqueeze', [g.node('Sin', [angle]), g.ints([2])]);
  const cos = g.node('Unsqueeze', [g.node('Cos', [angle]), g.ints([2])]);
  const pairs = g.node('Concat', [sin, cos], { axis: 2 }); // [n, dim/2, 2]
  return g.node('Reshape', [pairs, g.ints([0, dim])]); // interleaved [n, dim]
}

/** Positions 0..len(ids)-1 as float [len]. */
function positionsOf(g: Graph, ids: string): string {
  return g.node('Range', [g.float(0), dimAsFloat(g, ids, 0), g.float(1)]);
}

function audioEmbedding(g: Graph, ws: WeightSource, cfg: T2SConfig, tokens: string, positions: string): string {
  const table = param(g, ws, 'ar_audio_embedding.word_embeddings.weight', [cfg.vocab, cfg.dim], embeddingInit);
  const alpha = param(g, ws, 'ar_audio_position.alpha', [1], alphaInit);
  const emb = g.node('Gather', [table, tokens], { axis: 0 });
  return g.node('Add', [emb, g.node('Mul', [alpha, sinePositions(g, positions, cfg.dim)])]);
}

/** Text part and prompt part of the prefill, concatenated: [X+Y, dim]. */
export function buildT2SPrefillEmbed(cfg: T2SConfig, ws: WeightSource): Graph {
  const g = new Graph('t2s_embed');
  const phones = g.input('phones', 'int64', ['X']);
  const bert = g.input('bert', 'float32', [cfg.bertDim, 'X']);
  const prompt = g.input('prompt', 'int64', ['Y']);

  const textTable = param(g, ws, 'ar_text_embedding.word_embeddings.weight', [cfg.phonemeVocab, cfg.dim], embeddingInit);
  const projW = param(g, ws, 'bert_proj.weight', [cfg.dim, cfg.bertDim], fanIn(cfg.bertDim));
  const projB = param(g, ws, 'bert_proj.bias', [cfg.dim], fanIn(cfg.bertDim));
  const textAlpha = param(g, ws, 'ar_text_position.alpha', [1], alphaInit);
  const phoneEmb = g.node('Gather', [textTable, phones], { axis: 0 }); // [X, dim]
  const bertEmb = g.node('Gemm', [bert, projW, projB], { transA: 1, transB: 1 }); // bertᵀ·Wᵀ + b: [X, dim]
  const textPe = g.node('Mul', [textAlpha, sinePositions(g, positionsOf(g, phones), cfg.dim)]);
  const text = g.node('Add', [g.node('Add', [phoneEmb, bertEmb]), textPe]);

  const audio = audioEmbedding(g, ws, cfg, prompt, positionsOf(g, prompt));
  g.output(g.node('Concat', [text, audio], { axis: 0 }), 'x', 'float32', ['XY', cfg.dim]);
  return g;
}

/** One generated token at its absolute audio position: [1, dim]. */
export function buildT2STokenEmbed(cfg: T2SConfig, ws: WeightSource): Graph {
  const g = new Graph('t2s_token');
  const token = g.input('token', 'int64', [1]);
  const position = g.input('position', 'int64', [1]);
  const x = audioEmbedding(g, ws, cfg, token, g.node('Cast', [position], { to: 1 }));
  g.output(x, 'x', 'float32', [1, cfg.dim]);
  return g;
}

function layerNorm(g: Graph, ws: WeightSource, x: string, prefix: string, dim: number): string {
  const w = param(g, ws, `${prefix}.weight`, [dim], normScaleInit);
  const b = param(g, ws, `${prefix}.bias`, [dim], normBiasInit);
  return g.node('LayerNormalization', [x, w, b], { axis: -1, epsilon: { float: 1e-5 } });
}

/** The decoder's cache inputs: one per layer (current), or packed [P, layers, dim] (older packs). */
export type DecoderCacheLayout = 'per-layer' | 'packed';

/** Which cache contract a built decoder follows, from its input names. */
export function decoderCacheLayout(inputNames: readonly string[]): DecoderCacheLayout {
  return inputNames.includes('past_k') ? 'packed' : 'per-layer';
}

/** The transformer stack plus the token classifier, for prefill (P = 0) and cached decode steps. */
export function buildT2SDecoder(cfg: T2SConfig, ws: WeightSource): Graph {
  const { dim, layers } = cfg;
  const g = new Graph('t2s_decoder');
  let x = g.input('x', 'float32', ['n', dim]);
  const pastK = Array.from({ length: layers }, (_, i) => g.input(`past_k_${i}`, 'float32', ['P', dim]));
  const pastV = Array.from({ length: layers }, (_, i) => g.input(`past_v_${i}`, 'float32', ['P', dim]));
  const textLen = g.input('text_len', 'int64', [1]);

  const bias = textAudioAttentionBias(g, dimOf(g, pastK[0], 0), dimOf(g, x, 0), textLen);
  const newK: string[] = [];
  const newV: string[] = [];
  for (let i = 0; i < layers; i++) {
    const p = layerPrefix(i);
    const att = cachedSelfAttention(g, ws, x, pastK[i], pastV[i], bias, `${p}.self_attn`, cfg);
    newK.push(g.node('Unsqueeze', [att.k, g.ints([0])]));
    newV.push(g.node('Unsqueeze', [att.v, g.ints([0])]));
    x = layerNorm(g, ws, g.node('Add', [x, att.out]), `${p}.norm1`, dim);
    const hidden = g.node('Relu', [linear2d(g, ws, x, `${p}.linear1`, dim, cfg.ffn)]);
    x = layerNorm(g, ws, g.node('Add', [x, linear2d(g, ws, hidden, `${p}.linear2`, cfg.ffn, dim)]), `${p}.norm2`, dim);
  }

  const last = g.node('Slice', [x, g.ints([-1]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([0])]); // [1, dim]
  const predictW = param(g, ws, 'ar_predict_layer.weight', [cfg.vocab, dim], fanIn(dim));
  g.output(g.node('Gemm', [last, predictW], { transB: 1 }), 'logits', 'float32', [1, cfg.vocab]);
  g.output(g.node('Concat', newK, { axis: 0 }), 'new_k', 'float32', [layers, 'n', dim]);
  g.output(g.node('Concat', newV, { axis: 0 }), 'new_v', 'float32', [layers, 'n', dim]);
  return g;
}
