// One Euler step of GPT-SoVITS v3/v4's conditional flow matching (module/models.py CFM.inference)
// with its estimator, F5-TTS's DiT (f5_tts/model/backbones/dit.py, modules.py). The runner drives
// the loop: n steps with d = 1/n, t = 0, d, 2d, ... (src/engine/cfm-runner.ts).
//
// buildCFMStep -> graph "cfm_step"
//   in   x           float32 [1, mel, T]     the current sample (noise at t = 0); prompt frames 0
//        prompt      float32 [1, mel, T]     the prompt mel in frames [0, P), zeros after (prompt_x)
//        mu          float32 [1, textDim, T] the condition (decode_encp's fea: prompt part + target)
//        t           float32 [1]             time of this step
//        d           float32 [1]             step size 1/n (also the DiT's d embedding input)
//        prompt_len  int64   [1]             P
//   out  x_next      float32 [1, mel, T]     (x + d·v) with frames [0, P) set to 0, as upstream
//        v           float32 [1, mel, T]     the estimator's velocity (for tests)
//
// The DiT, time-major [1, T, C] inside:
//   temb  = time_embed(t) + d_embed(d)                   sinusoidal(256, scale 1000) -> Linear, SiLU, Linear
//   text  = ConvNeXtV2 blocks(mu^T + sincos(pos))        positions clipped at 4095 (precompute_freqs_cis)
//   h     = proj([x^T, prompt^T, text]); h += Mish(conv(Mish(conv(h))))  (grouped convs, kernel 31)
//   depth × DiTBlock: adaLN-Zero (6 modulations from SiLU(temb)), self-attention with rotary positions,
//                     tanh-GELU feed-forward
//   v     = proj_out(LN(h)·(1 + scale) + shift)          scale, shift from norm_out.linear(SiLU(temb))
// Rotary embedding as x_transformers applies it in upstream's Attention: before the heads are split,
// to the first dimHead channels of the full query and key (so only head 0 is rotated), pairs
// (x[2i], x[2i+1]) rotated by pos·θ_i, θ_i = inv_freq[i] (the checkpoint's buffer, 10000^(−2i/dimHead)).
// No mask: the runner's batch is one sequence of its full length (x_lens = T).
//
// Initializers are the SoVITS state dict's names (`cfm.estimator.…`), so checkpoints map 1:1; Linear
// weights are stored transposed ([in, out]) under their names.
import { Graph } from '../builder';
import { conv1d, gelu, layerNorm, mish, param } from '../ops/nn';
import { dimOf } from '../ops/vits';
import { fanIn, zeros, type WeightSource } from '../weights';

export interface DiTConfig {
  dim: number;
  depth: number;
  heads: number;
  dimHead: number;
  ffMult: number;
  /** Mel bins of x and the prompt (100). */
  mel: number;
  /** Width of the condition mu (the bridge width, 512). */
  textDim: number;
  /** ConvNeXtV2 blocks of the text embedding. */
  convLayers: number;
  /** ConvPositionEmbedding kernel and groups. */
  convPosKernel: number;
  convPosGroups: number;
  /** Sinusoidal width of the time and d embeddings. */
  freqEmbedDim: number;
  /** Positions of the text embedding's sin/cos table (longer sequences reuse the last). */
  textMaxPos: number;
}

/** SynthesizerTrnV3's DiT (dim 1024, depth 22, heads 16, ff_mult 2, text_dim 512, conv_layers 4). */
export const DIT_V3V4: DiTConfig = {
  dim: 1024,
  depth: 22,
  heads: 16,
  dimHead: 64,
  ffMult: 2,
  mel: 100,
  textDim: 512,
  convLayers: 4,
  convPosKernel: 31,
  convPosGroups: 16,
  freqEmbedDim: 256,
  textMaxPos: 4096,
};

/** The tiny DiT of scripts/make-v3v4-fixtures.py. */
export const DIT_TINY: DiTConfig = { ...DIT_V3V4, dim: 64, depth: 2, heads: 4, dimHead: 16, textDim: 24, convLayers: 2 };

const P = 'cfm.estimator';

/**
 * nn.Linear as MatMul with the weight stored pre-transposed ([in, out], same name): no Transpose
 * for ORT to fold into a second copy of the weight at load, which the real-size DiT (1.35 GB of
 * fp32 weights) cannot afford in WASM's 4 GB.
 */
function linear(g: Graph, ws: WeightSource, x: string, prefix: string, inF: number, outF: number): string {
  const name = `${prefix}.weight`;
  if (!g.initializers.has(name)) {
    const w = ws.get(name, [outF, inF], fanIn(inF));
    const t = new Float32Array(w.length);
    for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) t[i * outF + o] = w[o * inF + i];
    g.weight(name, [inF, outF], t);
  }
  return g.node('Add', [g.node('MatMul', [x, name]), param(g, ws, `${prefix}.bias`, [outF], fanIn(inF))]);
}

function silu(g: Graph, x: string): string {
  return g.node('Mul', [x, g.node('Sigmoid', [x])]);
}

/** GELU, tanh approximation (nn.GELU(approximate="tanh")). */
function geluTanh(g: Graph, x: string): string {
  const cube = g.node('Mul', [g.node('Mul', [x, x]), x]);
  const inner = g.node('Mul', [g.node('Add', [x, g.node('Mul', [cube, g.float(0.044715)])]), g.float(Math.sqrt(2 / Math.PI))]);
  return g.node('Mul', [g.node('Mul', [x, g.float(0.5)]), g.node('Add', [g.node('Tanh', [inner]), g.float(1)])]);
}

/** Float32 as torch rounds it. */
const f32 = Math.fround;

/** TimestepEmbedding on a [1] input -> [1, dim]. */
function timestepEmbedding(g: Graph, ws: WeightSource, t: string, prefix: string, cfg: DiTConfig): string {
  const half = cfg.freqEmbedDim / 2;
  const step = f32(-Math.log(10000) / (half - 1));
  const freqs = Float32Array.from({ length: half }, (_, i) => f32(Math.exp(f32(i * step))));
  const angle = g.node('Mul', [g.node('Mul', [g.node('Reshape', [t, g.ints([1, 1])]), g.float(1000)]), g.constant(freqs, [1, half])]);
  const emb = g.node('Concat', [g.node('Sin', [angle]), g.node('Cos', [angle])], { axis: 1 }); // [1, 256]
  const h = silu(g, linear(g, ws, emb, `${prefix}.time_mlp.0`, cfg.freqEmbedDim, cfg.dim));
  return linear(g, ws, h, `${prefix}.time_mlp.2`, cfg.dim, cfg.dim);
}

/** [0, 1, ..., T-1] as float32 [T], T from `x`'s axis. */
function positions(g: Graph, length: string): string {
  return g.node('Cast', [g.node('Range', [g.int(0), g.node('Squeeze', [length, g.ints([0])]), g.int(1)])], { to: 1 });
}

/** ConvNeXtV2Block on [1, T, C] (depthwise conv 7, LN 1e-6, pwconv1, GELU, GRN, pwconv2, residual). */
function convNeXtV2(g: Graph, ws: WeightSource, x: string, prefix: string, dim: number, inner: number): string {
  const cx = g.node('Transpose', [x], { perm: [0, 2, 1] });
  const dw = conv1d(g, ws, cx, `${prefix}.dwconv`, dim, dim, 7, { padding: 3, groups: dim });
  let h = layerNorm(g, ws, g.node('Transpose', [dw], { perm: [0, 2, 1] }), `${prefix}.norm`, dim, 1e-6);
  h = gelu(g, linear(g, ws, h, `${prefix}.pwconv1`, dim, inner));
  // GRN: L2 norm over time per channel, divided by its mean over channels.
  const gx = g.node('Sqrt', [g.node('ReduceSum', [g.node('Mul', [h, h]), g.ints([1])], { keepdims: 1 })]); // [1, 1, inner]
  const nx = g.node('Div', [gx, g.node('Add', [g.node('ReduceMean', [gx], { axes: [2], keepdims: 1 }), g.float(1e-6)])]);
  const gamma = param(g, ws, `${prefix}.grn.gamma`, [1, 1, inner], zeros);
  const beta = param(g, ws, `${prefix}.grn.beta`, [1, 1, inner], zeros);
  h = g.node('Add', [g.node('Add', [g.node('Mul', [gamma, g.node('Mul', [h, nx])]), beta]), h]);
  return g.node('Add', [x, linear(g, ws, h, `${prefix}.pwconv2`, inner, dim)]);
}

/** LayerNorm without affine parameters (eps 1e-6) on the last axis. */
function plainLayerNorm(g: Graph, x: string, unit: { one: string; zero: string }): string {
  return g.node('LayerNormalization', [x, unit.one, unit.zero], { axis: -1, epsilon: { float: 1e-6 } });
}

/** Chunk `i` of `n` equal parts of the last axis of [1, n·dim] -> [1, 1, dim] (broadcast over time). */
function chunk(g: Graph, x: string, i: number, dim: number): string {
  return g.node('Unsqueeze', [g.node('Slice', [x, g.ints([i * dim]), g.ints([(i + 1) * dim]), g.ints([1])]), g.ints([1])]);
}

/** Rotary embedding of the first `rot` channels of [1, T, C]: x·cos + rotate_half(x)·sin. */
function rotary(g: Graph, x: string, cos: string, sin: string, rotate: string, rot: number, channels: number): string {
  const head = g.node('Slice', [x, g.ints([0]), g.ints([rot]), g.ints([2])]);
  const rest = g.node('Slice', [x, g.ints([rot]), g.ints([channels]), g.ints([2])]);
  const turned = g.node('Add', [g.node('Mul', [head, cos]), g.node('Mul', [g.node('MatMul', [head, rotate]), sin])]);
  return rot === channels ? turned : g.node('Concat', [turned, rest], { axis: 2 });
}

export function buildCFMStep(cfg: DiTConfig, ws: WeightSource): Graph {
  const g = new Graph('cfm_step');
  const x = g.input('x', 'float32', [1, cfg.mel, 'T']);
  const prompt = g.input('prompt', 'float32', [1, cfg.mel, 'T']);
  const mu = g.input('mu', 'float32', [1, cfg.textDim, 'T']);
  const t = g.input('t', 'float32', [1]);
  const d = g.input('d', 'float32', [1]);
  const promptLen = g.input('prompt_len', 'int64', [1]);
  const v = ditVelocity(g, ws, cfg, x, prompt, mu, t, d); // [1, mel, T]

  const length = dimOf(g, x, 2);
  const keep = g.node('Cast', [g.node('GreaterOrEqual', [positions(g, length), g.node('Cast', [promptLen], { to: 1 })])], { to: 1 }); // [T]
  const next = g.node('Mul', [g.node('Add', [x, g.node('Mul', [v, d])]), keep]);
  g.output(next, 'x_next', 'float32', [1, cfg.mel, 'T']);
  g.output(v, 'v', 'float32', [1, cfg.mel, 'T']);
  return g;
}

/** The DiT estimator: v [1, mel, T] for (x, prompt, mu, t, d). */
export function ditVelocity(g: Graph, ws: WeightSource, cfg: DiTConfig, x: string, prompt: string, mu: string, t: string, d: string): string {
  const { dim } = cfg;
  const inner = cfg.heads * cfg.dimHead;
  const unit = { one: g.constant(new Float32Array(dim).fill(1)), zero: g.constant(new Float32Array(dim)) };
  const temb = g.node('Add', [timestepEmbedding(g, ws, t, `${P}.time_embed`, cfg), timestepEmbedding(g, ws, d, `${P}.d_embed`, cfg)]); // [1, dim]
  const condition = silu(g, temb);

  // Text embedding: mu^T plus the sin/cos table of precompute_freqs_cis(textDim), then ConvNeXtV2 blocks.
  const length = dimOf(g, x, 2);
  const pos = positions(g, length);
  const halfText = cfg.textDim / 2;
  const textFreqs = Float32Array.from({ length: halfText }, (_, i) => f32(1 / f32(10000 ** f32((2 * i) / cfg.textDim))));
  const clipped = g.node('Min', [pos, g.float(cfg.textMaxPos - 1)]);
  const textAngle = g.node('Mul', [g.node('Unsqueeze', [clipped, g.ints([1])]), g.constant(textFreqs, [1, halfText])]); // [T, half]
  const textPos = g.node('Concat', [g.node('Cos', [textAngle]), g.node('Sin', [textAngle])], { axis: 1 });
  let text = g.node('Add', [g.node('Transpose', [mu], { perm: [0, 2, 1] }), textPos]); // [1, T, textDim]
  for (let i = 0; i < cfg.convLayers; i++) text = convNeXtV2(g, ws, text, `${P}.text_embed.text_blocks.${i}`, cfg.textDim, cfg.textDim * 2);

  // Input embedding.
  const rows = (v: string) => g.node('Transpose', [v], { perm: [0, 2, 1] });
  let h = linear(g, ws, g.node('Concat', [rows(x), rows(prompt), text], { axis: 2 }), `${P}.input_embed.proj`, 2 * cfg.mel + cfg.textDim, dim);
  const k = cfg.convPosKernel;
  const pad = Math.floor(k / 2);
  let c = mish(g, conv1d(g, ws, rows(h), `${P}.input_embed.conv_pos_embed.conv1d.0`, dim, dim, k, { groups: cfg.convPosGroups, padding: pad }));
  c = mish(g, conv1d(g, ws, c, `${P}.input_embed.conv_pos_embed.conv1d.2`, dim, dim, k, { groups: cfg.convPosGroups, padding: pad }));
  h = g.node('Add', [rows(c), h]);

  // Rotary tables [T, dimHead] (interleaved: angle i/2 for channel i) and the pair-rotation matrix.
  // inv_freq is x_transformers' persistent buffer, so it comes from the checkpoint (fp16-rounded there,
  // as upstream then computes with it); rotaryInvFreq gives the computed values for files without it.
  const rot = cfg.dimHead;
  const invFreq = param(g, ws, `${P}.rotary_embed.inv_freq`, [rot / 2], zeros);
  const halfAngle = g.node('Unsqueeze', [g.node('Mul', [g.node('Unsqueeze', [pos, g.ints([1])]), invFreq]), g.ints([2])]); // [T, rot/2, 1]
  const angle = g.node('Reshape', [g.node('Concat', [halfAngle, halfAngle], { axis: 2 }), g.ints([-1, rot])]); // f0 f0 f1 f1 ...

  const cos = g.node('Cos', [angle]);
  const sin = g.node('Sin', [angle]);
  const turn = new Float32Array(rot * rot);
  for (let i = 0; i < rot; i += 2) {
    turn[(i + 1) * rot + i] = -1; // out[2i] = -x[2i+1]
    turn[i * rot + i + 1] = 1; // out[2i+1] = x[2i]
  }
  const rotate = g.constant(turn, [rot, rot]);
  const scale = g.float(1 / Math.sqrt(cfg.dimHead));
  const split = (v: string) => g.node('Transpose', [g.node('Reshape', [v, g.ints([-1, cfg.heads, cfg.dimHead])])], { perm: [1, 0, 2] }); // [H, T, dh]

  for (let i = 0; i < cfg.depth; i++) {
    const b = `${P}.transformer_blocks.${i}`;
    const mod = linear(g, ws, condition, `${b}.attn_norm.linear`, dim, 6 * dim); // [1, 6·dim]
    const [shiftMsa, scaleMsa, gateMsa, shiftMlp, scaleMlp, gateMlp] = [0, 1, 2, 3, 4, 5].map((j) => chunk(g, mod, j, dim));
    const norm = g.node('Add', [g.node('Mul', [plainLayerNorm(g, h, unit), g.node('Add', [scaleMsa, g.float(1)])]), shiftMsa]);
    const q = rotary(g, linear(g, ws, norm, `${b}.attn.to_q`, dim, inner), cos, sin, rotate, rot, inner);
    const kk = rotary(g, linear(g, ws, norm, `${b}.attn.to_k`, dim, inner), cos, sin, rotate, rot, inner);
    const vv = linear(g, ws, norm, `${b}.attn.to_v`, dim, inner);
    const scores = g.node('Mul', [g.node('MatMul', [split(q), g.node('Transpose', [split(kk)], { perm: [0, 2, 1] })]), scale]);
    const ctx = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), split(vv)]); // [H, T, dh]
    const merged = g.node('Reshape', [g.node('Transpose', [ctx], { perm: [1, 0, 2] }), g.ints([1, -1, inner])]);
    const attn = linear(g, ws, merged, `${b}.attn.to_out.0`, inner, dim);
    h = g.node('Add', [h, g.node('Mul', [gateMsa, attn])]);
    const norm2 = g.node('Add', [g.node('Mul', [plainLayerNorm(g, h, unit), g.node('Add', [scaleMlp, g.float(1)])]), shiftMlp]);
    const ff = linear(g, ws, geluTanh(g, linear(g, ws, norm2, `${b}.ff.ff.0.0`, dim, dim * cfg.ffMult)), `${b}.ff.ff.2`, dim * cfg.ffMult, dim);
    h = g.node('Add', [h, g.node('Mul', [gateMlp, ff])]);
  }
  const fin = linear(g, ws, condition, `${P}.norm_out.linear`, dim, 2 * dim);
  const out = g.node('Add', [g.node('Mul', [plainLayerNorm(g, h, unit), g.node('Add', [chunk(g, fin, 0, dim), g.float(1)])]), chunk(g, fin, 1, dim)]);
  const v = linear(g, ws, out, `${P}.proj_out`, dim, cfg.mel); // [1, T, mel]
  return g.node('Transpose', [v], { perm: [0, 2, 1] });
}

/** x_transformers RotaryEmbedding(dimHead).inv_freq: 1 / 10000^(2i / dimHead), in float32. */
export function rotaryInvFreq(dimHead: number): Float32Array {
  return Float32Array.from({ length: dimHead / 2 }, (_, i) => f32(1 / f32(10000 ** f32((2 * i) / dimHead))));
}

type Shapes = [string, number[]][];

/** Every `cfm.estimator.*` parameter the step graph reads, with its shape. */
export function ditParameterShapes(cfg: DiTConfig): Shapes {
  const out: Shapes = [];
  const lin = (name: string, i: number, o: number) => out.push([`${name}.weight`, [o, i]], [`${name}.bias`, [o]]);
  for (const e of ['time_embed', 'd_embed']) {
    lin(`${P}.${e}.time_mlp.0`, cfg.freqEmbedDim, cfg.dim);
    lin(`${P}.${e}.time_mlp.2`, cfg.dim, cfg.dim);
  }
  const td = cfg.textDim;
  for (let i = 0; i < cfg.convLayers; i++) {
    const b = `${P}.text_embed.text_blocks.${i}`;
    out.push([`${b}.dwconv.weight`, [td, 1, 7]], [`${b}.dwconv.bias`, [td]], [`${b}.norm.weight`, [td]], [`${b}.norm.bias`, [td]]);
    lin(`${b}.pwconv1`, td, 2 * td);
    out.push([`${b}.grn.gamma`, [1, 1, 2 * td]], [`${b}.grn.beta`, [1, 1, 2 * td]]);
    lin(`${b}.pwconv2`, 2 * td, td);
  }
  lin(`${P}.input_embed.proj`, 2 * cfg.mel + td, cfg.dim);
  out.push([`${P}.rotary_embed.inv_freq`, [cfg.dimHead / 2]]);
  for (const j of [0, 2]) {
    out.push([`${P}.input_embed.conv_pos_embed.conv1d.${j}.weight`, [cfg.dim, cfg.dim / cfg.convPosGroups, cfg.convPosKernel]]);
    out.push([`${P}.input_embed.conv_pos_embed.conv1d.${j}.bias`, [cfg.dim]]);
  }
  const inner = cfg.heads * cfg.dimHead;
  for (let i = 0; i < cfg.depth; i++) {
    const b = `${P}.transformer_blocks.${i}`;
    lin(`${b}.attn_norm.linear`, cfg.dim, 6 * cfg.dim);
    for (const n of ['to_q', 'to_k', 'to_v']) lin(`${b}.attn.${n}`, cfg.dim, inner);
    lin(`${b}.attn.to_out.0`, inner, cfg.dim);
    lin(`${b}.ff.ff.0.0`, cfg.dim, cfg.dim * cfg.ffMult);
    lin(`${b}.ff.ff.2`, cfg.dim * cfg.ffMult, cfg.dim);
  }
  lin(`${P}.norm_out.linear`, cfg.dim, 2 * cfg.dim);
  lin(`${P}.proj_out`, cfg.dim, cfg.mel);
  return out;
}

/** The Linear layers upstream's LoRA adapts (LoraConfig target_modules to_k, to_q, to_v, to_out.0). */
export function ditLoraTargets(cfg: DiTConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < cfg.depth; i++) for (const n of ['to_q', 'to_k', 'to_v', 'to_out.0']) out.push(`${P}.transformer_blocks.${i}.attn.${n}`);
  return out;
}
