// The speaker-verification network of GPT-SoVITS v2Pro/v2ProPlus: 3D-Speaker's ERes2NetV2
// (baseWidth 24, scale 4, expansion 4, as GPT_SoVITS/sv.py builds it) up to `forward3`, which
// upstream feeds into SoVITS's sv_emb: the fused stage-3/stage-4 feature map averaged over time.
//
// buildSpeakerVerification -> graph "sv"
//   in   fbank  float32 [1, T, 80]     Kaldi log mel filterbank of the 16 kHz reference (src/audio/fbank.ts)
//   out  sv     float32 [1, embedDim]  embedDim = 8·channels·expansion · 80/8 (20480 at real size)
//
// Layout (feature map [1, C, 80 mel, T]): conv 3x3 + BN + ReLU; 4 stages of residual blocks
// (3, 4, 6, 3 blocks; stride 2 at the first block of stages 2-4); stages 3 and 4 fuse their
// scale branches with AFF (attentional feature fusion) instead of adding them; stage 3's output
// is downsampled by a 3x3 stride-2 conv and AFF-fused with stage 4's; then [C, F'] is flattened and
// averaged over time. The blocks' activation is Hardtanh(0, 20) (upstream's "ReLU"); only the
// stem uses a plain ReLU. BatchNorms run in inference mode on the running statistics, with the
// checkpoint's names (…bn1.weight/bias/running_mean/running_var); num_batches_tracked and the
// embedding head that forward3 skips (seg_1) are not used.
import { Graph } from '../builder';
import { param } from '../ops/nn';
import { fanIn, type Init, type WeightSource } from '../weights';

export interface SVConfig {
  /** Mel bins of the input (80). */
  featDim: number;
  /** Stem width m_channels (64 real); stage widths are 1, 2, 4, 8 times it before expansion. */
  channels: number;
  baseWidth: number;
  scale: number;
  expansion: number;
  blocks: [number, number, number, number];
}

export const SV_ERES2NETV2: SVConfig = { featDim: 80, channels: 64, baseWidth: 24, scale: 4, expansion: 4, blocks: [3, 4, 6, 3] };
/** Small widths for tests (embedding 2560); depth and structure stay real. */
export const SV_TINY: SVConfig = { ...SV_ERES2NETV2, channels: 8 };

/** Width of forward3's output: channels of the fused map times its mel bins. */
export function svEmbedDim(cfg: SVConfig): number {
  return cfg.channels * 8 * cfg.expansion * Math.floor(cfg.featDim / 8);
}

const BN_EPS = 1e-5;
const bnScale: Init = { kind: 'normal', mean: 1, std: 0.05 };
const bnShift: Init = { kind: 'normal', std: 0.05 };

function conv2d(g: Graph, ws: WeightSource, x: string, name: string, inC: number, outC: number, k: number, stride: number, bias = false): string {
  const w = param(g, ws, `${name}.weight`, [outC, inC, k, k], fanIn(inC * k * k));
  const inputs = [x, w];
  if (bias) inputs.push(param(g, ws, `${name}.bias`, [outC], fanIn(inC * k * k)));
  const pad = (k - 1) / 2;
  return g.node('Conv', inputs, { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] });
}

function batchNorm(g: Graph, ws: WeightSource, x: string, name: string, c: number): string {
  return g.node(
    'BatchNormalization',
    [
      x,
      param(g, ws, `${name}.weight`, [c], bnScale),
      param(g, ws, `${name}.bias`, [c], bnShift),
      param(g, ws, `${name}.running_mean`, [c], bnShift),
      param(g, ws, `${name}.running_var`, [c], bnScale),
    ],
    { epsilon: { float: BN_EPS } },
  );
}

/** Upstream's ReLU subclass: Hardtanh(0, 20). */
const clipRelu = (g: Graph, x: string) => g.node('Clip', [x, g.float(0), g.float(20)]);

/** AFF: xa = [x; y] -> 1x1 conv, BN, SiLU, 1x1 conv, BN = a; w = 1 + tanh(a); x·w + y·(2 - w). */
function aff(g: Graph, ws: WeightSource, x: string, y: string, name: string, channels: number): string {
  const inner = Math.floor(channels / 4);
  let a = conv2d(g, ws, g.node('Concat', [x, y], { axis: 1 }), `${name}.local_att.0`, 2 * channels, inner, 1, 1, true);
  a = batchNorm(g, ws, a, `${name}.local_att.1`, inner);
  a = g.node('Mul', [a, g.node('Sigmoid', [a])]);
  a = conv2d(g, ws, a, `${name}.local_att.3`, inner, channels, 1, 1, true);
  a = batchNorm(g, ws, a, `${name}.local_att.4`, channels);
  const w = g.node('Add', [g.float(1), g.node('Tanh', [a])]);
  return g.node('Add', [g.node('Mul', [x, w]), g.node('Mul', [y, g.node('Sub', [g.float(2), w])])]);
}

function block(g: Graph, ws: WeightSource, cfg: SVConfig, x: string, name: string, inPlanes: number, planes: number, stride: number, fused: boolean): string {
  const width = Math.floor((planes * cfg.baseWidth) / 64);
  const outC = planes * cfg.expansion;
  let out = clipRelu(g, batchNorm(g, ws, conv2d(g, ws, x, `${name}.conv1`, inPlanes, width * cfg.scale, 1, stride), `${name}.bn1`, width * cfg.scale));
  const parts = g.nodeN('Split', [out, g.ints(Array(cfg.scale).fill(width))], { axis: 1 }, cfg.scale);
  const branches: string[] = [];
  let sp = parts[0];
  for (let i = 0; i < cfg.scale; i++) {
    if (i > 0) sp = fused ? aff(g, ws, sp, parts[i], `${name}.fuse_models.${i - 1}`, width) : g.node('Add', [sp, parts[i]]);
    sp = clipRelu(g, batchNorm(g, ws, conv2d(g, ws, sp, `${name}.convs.${i}`, width, width, 3, 1), `${name}.bns.${i}`, width));
    branches.push(sp);
  }
  out = g.node('Concat', branches, { axis: 1 });
  out = batchNorm(g, ws, conv2d(g, ws, out, `${name}.conv3`, width * cfg.scale, outC, 1, 1), `${name}.bn3`, outC);
  const shortcut = stride !== 1 || inPlanes !== outC ? batchNorm(g, ws, conv2d(g, ws, x, `${name}.shortcut.0`, inPlanes, outC, 1, stride), `${name}.shortcut.1`, outC) : x;
  return clipRelu(g, g.node('Add', [out, shortcut]));
}

export function buildSpeakerVerification(cfg: SVConfig, ws: WeightSource): Graph {
  const g = new Graph('sv');
  const feats = g.input('fbank', 'float32', [1, 'T', cfg.featDim]);
  const m = cfg.channels;
  let x = g.node('Unsqueeze', [g.node('Transpose', [feats], { perm: [0, 2, 1] }), g.ints([1])]); // [1, 1, 80, T]
  x = g.node('Relu', [batchNorm(g, ws, conv2d(g, ws, x, 'conv1', 1, m, 3, 1), 'bn1', m)]);
  let inPlanes = m;
  const stages: string[] = [];
  cfg.blocks.forEach((count, s) => {
    const planes = m * 2 ** s;
    for (let b = 0; b < count; b++) {
      x = block(g, ws, cfg, x, `layer${s + 1}.${b}`, inPlanes, planes, b === 0 && s > 0 ? 2 : 1, s >= 2);
      inPlanes = planes * cfg.expansion;
    }
    stages.push(x);
  });
  const c3 = m * 4 * cfg.expansion;
  const c4 = m * 8 * cfg.expansion;
  const down = conv2d(g, ws, stages[2], 'layer3_ds', c3, c4, 3, 2);
  const fused = aff(g, ws, stages[3], down, 'fuse34', c4); // [1, c4, F', T']
  const rows = g.node('Reshape', [fused, g.ints([1, svEmbedDim(cfg), -1])]); // flatten channels x mel
  g.output(g.node('ReduceMean', [rows], { axes: [2], keepdims: 0 }), 'sv', 'float32', [1, svEmbedDim(cfg)]);
  return g;
}

/** Every checkpoint tensor the graph uses, with its shape. */
export function svParameterShapes(cfg: SVConfig): [string, number[]][] {
  const out: [string, number[]][] = [];
  const conv = (name: string, o: number, i: number, k: number, bias = false) => {
    out.push([`${name}.weight`, [o, i, k, k]]);
    if (bias) out.push([`${name}.bias`, [o]]);
  };
  const bn = (name: string, c: number) => {
    for (const p of ['weight', 'bias', 'running_mean', 'running_var']) out.push([`${name}.${p}`, [c]]);
  };
  const affShapes = (name: string, c: number) => {
    const inner = Math.floor(c / 4);
    conv(`${name}.local_att.0`, inner, 2 * c, 1, true);
    bn(`${name}.local_att.1`, inner);
    conv(`${name}.local_att.3`, c, inner, 1, true);
    bn(`${name}.local_att.4`, c);
  };
  const m = cfg.channels;
  conv('conv1', m, 1, 3);
  bn('bn1', m);
  let inPlanes = m;
  cfg.blocks.forEach((count, s) => {
    const planes = m * 2 ** s;
    const width = Math.floor((planes * cfg.baseWidth) / 64);
    const outC = planes * cfg.expansion;
    for (let b = 0; b < count; b++) {
      const name = `layer${s + 1}.${b}`;
      const stride = b === 0 && s > 0 ? 2 : 1;
      conv(`${name}.conv1`, width * cfg.scale, inPlanes, 1);
      bn(`${name}.bn1`, width * cfg.scale);
      for (let i = 0; i < cfg.scale; i++) {
        conv(`${name}.convs.${i}`, width, width, 3);
        bn(`${name}.bns.${i}`, width);
      }
      if (s >= 2) for (let j = 0; j < cfg.scale - 1; j++) affShapes(`${name}.fuse_models.${j}`, width);
      conv(`${name}.conv3`, outC, width * cfg.scale, 1);
      bn(`${name}.bn3`, outC);
      if (stride !== 1 || inPlanes !== outC) {
        conv(`${name}.shortcut.0`, outC, inPlanes, 1);
        bn(`${name}.shortcut.1`, outC);
      }
      inPlanes = outC;
    }
  });
  conv('layer3_ds', m * 8 * cfg.expansion, m * 4 * cfg.expansion, 3);
  affShapes('fuse34', m * 8 * cfg.expansion);
  return out;
}
