// SoVITS prompt extraction (SynthesizerTrn.extract_latent of a 25 Hz v2 model): SSL features ->
// semantic codes of the reference, the GPT's audio prompt.
//
// Graph I/O:
//   input  `ssl`   float32 [1, sslDim, T50]   HuBERT output (src/graph/models/hubert.ts)
//   output `codes` int64   [1, 1, T25]        T25 = floor(T50 / 2); index of the nearest codebook row
//
// ssl_proj is Conv1d(sslDim, sslDim, kernel 2, stride 2) (50 -> 25 Hz); the residual VQ has one
// layer, so a code is the argmin over the codebook of the Euclidean distance to the projected
// frame. The per-frame |x|^2 term is the same for every code and is left out:
// argmin_j |e_j|^2 - 2 x.e_j. Ties go to the lowest index, as torch's max does.
//
// Initializers (SoVITS state dict names): `ssl_proj.weight` [D, D, 2], `ssl_proj.bias` [D],
// `quantizer.vq.layers.0._codebook.embed` [codes, D] (a buffer upstream, a weight here).
import { Graph } from '../builder';
import { conv1d, param } from '../ops/nn';
import type { WeightSource } from '../weights';

export interface SemanticConfig {
  sslDim: number;
  codebookSize: number;
  /** ssl_proj kernel = stride (2 for 25 Hz codes from 50 Hz features). */
  downsample: number;
}

export const SEMANTIC_V2: SemanticConfig = { sslDim: 768, codebookSize: 1024, downsample: 2 };
export const SEMANTIC_TINY: SemanticConfig = { sslDim: 32, codebookSize: 1024, downsample: 2 };

export const CODEBOOK_NAME = 'quantizer.vq.layers.0._codebook.embed';

export function semanticCodeCount(cfg: SemanticConfig, sslFrames: number): number {
  return Math.floor(sslFrames / cfg.downsample);
}

export function buildSemanticExtractor(cfg: SemanticConfig, ws: WeightSource): Graph {
  const g = new Graph('semantic_extractor');
  const d = cfg.sslDim;
  const ssl = g.input('ssl', 'float32', [1, d, 'T50']);
  const projected = conv1d(g, ws, ssl, 'ssl_proj', d, d, cfg.downsample, { stride: cfg.downsample }); // [1, D, T25]
  const frames = g.node('Transpose', [g.node('Squeeze', [projected, g.ints([0])])], { perm: [1, 0] }); // [T25, D]

  const codebook = param(g, ws, CODEBOOK_NAME, [cfg.codebookSize, d], { kind: 'normal', std: 1 });
  const squaredNorms = g.node('ReduceSum', [g.node('Mul', [codebook, codebook]), g.ints([1])], { keepdims: 0 }); // [codes]
  // |e|^2 - 2 x.e as one Gemm: alpha = -2 on x E^T, beta = 1 on the broadcast norms.
  const distance = g.node('Gemm', [frames, codebook, squaredNorms], { transB: 1, alpha: { float: -2 }, beta: { float: 1 } });
  const nearest = g.node('ArgMin', [distance], { axis: 1, keepdims: 0, select_last_index: 0 }); // [T25] int64
  g.output(g.node('Reshape', [nearest, g.ints([1, 1, -1])]), 'codes', 'int64', [1, 1, 'T25']);
  return g;
}
