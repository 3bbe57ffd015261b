#!/usr/bin/python3
"""Writes the checkpoint fixtures in test/fixtures/checkpoints with real PyTorch.

Run with Debian's PyTorch (apt-get install -y python3-torch; tested with 1.13):

    /usr/bin/python3 scripts/make-checkpoint-fixtures.py [--upstream-keys GPT_SoVITS_DIR]

Every file has upstream's container layout, key names and config layout at the sizes of our
*_TINY graph configs (src/graph/models/*.ts), so a converted pack runs:
  s1-v2.ckpt            GPT: {"weight": OrderedDict("model.*" fp16), "config": s1 YAML dict, "info"}
  s2-v2.pth             SoVITS v2: {"weight": dict fp16 without enc_q, "config": utils.HParams, "info"}
  s2-v1.pth             SoVITS v1 (322 symbols, all 1025 bins to ref_enc), 2-byte header "00"
  s2-v2pro.pth          SoVITS v2Pro (extra sv_emb/ge_to512/prelu, small codebook), 2-byte header "05"
  hubert/               HF HubertModel: pytorch_model.bin (zip, fp32, weight_g/weight_v),
                        model.safetensors (fp32, parametrizations.weight.original0/1), config.json
  roberta/              HF BertForMaskedLM: pytorch_model.bin in the legacy (non-zip) format, fp16,
                        LayerNorm gamma/beta names, decoder tied to the word embeddings; config.json
  dtypes*.pt            reader cases: dtypes, views, shared storage, pickle protocols 2 and 4, legacy
  malicious-*.{ckpt,pth}  pickles that would run os.system / builtins.eval / subprocess.Popen
  reference.json        how the values were generated, and checksums of every tensor as the graphs
                        want it (weight norm folded by torch itself), for the tests to compare against

Weight values are not random: value i of tensor `name` is a small integer formula (below) times a
power of two, so it is exact in fp16 and the tests can regenerate it independently of the reader.

With --upstream-keys it also instantiates upstream's SynthesizerTrn and Text2SemanticDecoder at
their real sizes (needs upstream's GPT_SoVITS source dir; unrelated imports are stubbed) and checks
that this script's key layouts at real size equal upstream's state dict keys and shapes, writing
upstream-keys.json for the TypeScript mapping test.
"""
import argparse
import collections
import io
import json
import math
import os
import re
import struct
import sys
import types

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'checkpoints')

# ---- sizes (must match the *_TINY configs in src/graph/models) ---------------------------------

T2S_TINY = dict(dim=32, heads=2, layers=2, ffn=64, phoneme_vocab=732, vocab=1025, bert_dim=1024)
T2S_V2 = dict(dim=512, heads=16, layers=24, ffn=2048, phoneme_vocab=732, vocab=1025, bert_dim=1024)

SOVITS_V2 = dict(
    spec=1025, ref_bins=704, ssl=768, codebook=1024, text_vocab=732, hidden=192, inter=192, filter=768,
    heads=2, layers=6, kernel=3, window=4, gin=512, mrte_hidden=512, style_hidden=128, style_kernel=5,
    flows=4, wn_layers=4, flow_kernel=5, res_kernels=[3, 7, 11], res_dilations=[[1, 3, 5]] * 3,
    up_rates=[10, 8, 2, 2, 2], up_initial=512, up_kernels=[16, 16, 8, 2, 2],
)
SOVITS_V1 = dict(SOVITS_V2, ref_bins=1025, text_vocab=322)
SOVITS_TINY = dict(SOVITS_V2, ssl=32, hidden=16, inter=16, filter=32, layers=2, gin=32, mrte_hidden=32,
                   style_hidden=16, up_initial=32)
SOVITS_TINY_V1 = dict(SOVITS_TINY, ref_bins=1025, text_vocab=322)

HUBERT_TINY = dict(conv_dims=[16] * 7, kernels=[10, 3, 3, 3, 3, 2, 2], strides=[5, 2, 2, 2, 2, 2, 2],
                   hidden=32, heads=2, layers=2, ffn=64, pos_kernel=16, pos_groups=4)
ROBERTA_TINY = dict(vocab=21128, hidden=32, heads=2, layers=4, ffn=64, max_pos=512, type_vocab=2)

# ---- deterministic values ----------------------------------------------------------------------

M32 = 0xFFFFFFFF


def fnv1a(s):
    h = 0x811C9DC5
    for b in s.encode('utf-8'):
        h = ((h ^ b) * 0x01000193) & M32
    return h


def raw_ints(name, n):
    """11-bit integers: lowbias32(fnv1a(name) ^ (i * 0x9E3779B1 mod 2^32)) & 2047, i = 0..n-1."""
    i = np.arange(n, dtype=np.uint64)
    x = np.uint64(fnv1a(name)) ^ ((i * np.uint64(0x9E3779B1)) & np.uint64(M32))
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & np.uint64(M32)
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & np.uint64(M32)
    x ^= x >> np.uint64(16)
    return (x & np.uint64(2047)).astype(np.int64)


def value_spec(name, shape):
    """('one', 0): 1 + ((j & 255) - 128) / 1024, for scales that must stay near 1 (norms, weight_g);
    ('sym', s): (j - 1024) / 1024 * 2^-s, s from the fan-in so activations stay moderate."""
    if re.search(r'(weight_g|original0|gamma|alpha)$', name) or re.search(
            r'(norm\w*|LayerNorm|layer_norm|norm_layers_[12]\.\d+)\.weight$', name):
        return 'one', 0
    if re.search(r'(bias|beta)$', name):
        return 'sym', 3
    if re.search(r'(embedding\w*\.weight|_codebook\.embed\w*|emb_rel_[kv])$', name) or len(shape) < 2:
        return 'sym', 1
    fan_in = int(np.prod(shape[1:]))
    return 'sym', max(0, int(round(math.log2(math.sqrt(fan_in)))))


def make_tensor(name, shape):
    kind, shift = value_spec(name, shape)
    j = raw_ints(name, int(np.prod(shape)) if shape else 1)
    v = 1 + ((j & 255) - 128) / 1024 if kind == 'one' else (j - 1024) / 1024 * 2.0 ** -shift
    return torch.tensor(v, dtype=torch.float64).reshape(shape), {'shape': list(shape), 'kind': kind, 'shift': shift}


# ---- upstream key layouts ----------------------------------------------------------------------

def conv(out, name, o, i, k, bias=True, wn=False):
    if wn:  # torch weight_norm(dim=0): g has the weight's rank with 1s after axis 0
        out += [(name + '.weight_g', [o, 1, 1]), (name + '.weight_v', [o, i, k])]
    else:
        out.append((name + '.weight', [o, i, k]))
    if bias:
        out.append((name + '.bias', [o]))


def lin(out, name, i, o, bias=True):
    out.append((name + '.weight', [o, i]))
    if bias:
        out.append((name + '.bias', [o]))


def t2s_keys(c):
    d, out = c['dim'], []
    out += [('model.ar_text_embedding.word_embeddings.weight', [c['phoneme_vocab'], d]),
            ('model.bert_proj.weight', [d, c['bert_dim']]), ('model.bert_proj.bias', [d]),
            ('model.ar_text_position.alpha', [1]),
            ('model.ar_audio_embedding.word_embeddings.weight', [c['vocab'], d]),
            ('model.ar_audio_position.alpha', [1])]
    for i in range(c['layers']):
        p = f'model.h.layers.{i}'
        out += [(f'{p}.self_attn.in_proj_weight', [3 * d, d]), (f'{p}.self_attn.in_proj_bias', [3 * d])]
        lin(out, f'{p}.self_attn.out_proj', d, d)
        lin(out, f'{p}.linear1', d, c['ffn'])
        lin(out, f'{p}.linear2', c['ffn'], d)
        for n in ('norm1', 'norm2'):
            out += [(f'{p}.{n}.weight', [d]), (f'{p}.{n}.bias', [d])]
    out.append(('model.ar_predict_layer.weight', [c['vocab'], d]))
    return out


def rel_encoder(out, c, prefix, layers):
    h = c['hidden']
    for i in range(layers):
        a = f'{prefix}.attn_layers.{i}'
        for n in ('conv_q', 'conv_k', 'conv_v', 'conv_o'):
            conv(out, f'{a}.{n}', h, h, 1)
        out += [(f'{a}.emb_rel_k', [1, 2 * c['window'] + 1, h // c['heads']]),
                (f'{a}.emb_rel_v', [1, 2 * c['window'] + 1, h // c['heads']])]
        out += [(f'{prefix}.norm_layers_1.{i}.gamma', [h]), (f'{prefix}.norm_layers_1.{i}.beta', [h])]
        conv(out, f'{prefix}.ffn_layers.{i}.conv_1', c['filter'], h, c['kernel'])
        conv(out, f'{prefix}.ffn_layers.{i}.conv_2', h, c['filter'], c['kernel'])
        out += [(f'{prefix}.norm_layers_2.{i}.gamma', [h]), (f'{prefix}.norm_layers_2.{i}.beta', [h])]


def sovits_keys(c, pro=False):
    """SynthesizerTrn state dict as upstream saves it (enc_q dropped)."""
    out, s, h = [], c['style_hidden'], c['hidden']
    half = c['layers'] // 2
    # enc_p (TextEncoder with MRTE)
    conv(out, 'enc_p.ssl_proj', h, c['ssl'], 1)
    rel_encoder(out, c, 'enc_p.encoder_ssl', half)
    rel_encoder(out, c, 'enc_p.encoder_text', c['layers'])
    out.append(('enc_p.text_embedding.weight', [c['text_vocab'], h]))
    for n in ('conv_q', 'conv_k', 'conv_v', 'conv_o'):
        conv(out, f'enc_p.mrte.cross_attention.{n}', c['mrte_hidden'], c['mrte_hidden'], 1)
    conv(out, 'enc_p.mrte.c_pre', c['mrte_hidden'], h, 1)
    conv(out, 'enc_p.mrte.text_pre', c['mrte_hidden'], h, 1)
    conv(out, 'enc_p.mrte.c_post', h, c['mrte_hidden'], 1)
    rel_encoder(out, c, 'enc_p.encoder2', half)
    conv(out, 'enc_p.proj', 2 * c['inter'], h, 1)
    # dec (HiFi-GAN generator)
    conv(out, 'dec.conv_pre', c['up_initial'], c['inter'], 7)
    ch = c['up_initial']
    for i, k in enumerate(c['up_kernels']):
        out += [(f'dec.ups.{i}.weight_g', [ch, 1, 1]), (f'dec.ups.{i}.weight_v', [ch, ch // 2, k]),
                (f'dec.ups.{i}.bias', [ch // 2])]
        ch //= 2
    ch = c['up_initial']
    for i in range(len(c['up_rates'])):
        ch //= 2
        for j, k in enumerate(c['res_kernels']):
            r = f'dec.resblocks.{i * len(c["res_kernels"]) + j}'
            for conv_set in ('convs1', 'convs2'):
                for n in range(len(c['res_dilations'][j])):
                    conv(out, f'{r}.{conv_set}.{n}', ch, ch, k, wn=True)
    conv(out, 'dec.conv_post', 1, ch, 7, bias=False)
    conv(out, 'dec.cond', c['up_initial'], c['gin'], 1)
    # flow (coupling layers at even indices; the Flips have no parameters)
    for i in range(c['flows']):
        f = f'flow.flows.{2 * i}'
        conv(out, f'{f}.pre', h, c['inter'] // 2, 1)
        for l in range(c['wn_layers']):
            conv(out, f'{f}.enc.in_layers.{l}', 2 * h, h, c['flow_kernel'], wn=True)
            conv(out, f'{f}.enc.res_skip_layers.{l}', 2 * h if l < c['wn_layers'] - 1 else h, h, 1, wn=True)
        conv(out, f'{f}.enc.cond_layer', 2 * h * c['wn_layers'], c['gin'], 1, wn=True)
        conv(out, f'{f}.post', c['inter'] // 2, h, 1)
    # ref_enc (MelStyleEncoder)
    lin(out, 'ref_enc.spectral.0.fc', c['ref_bins'], s)
    lin(out, 'ref_enc.spectral.3.fc', s, s)
    for t in (0, 1):
        conv(out, f'ref_enc.temporal.{t}.conv1.conv', 2 * s, s, c['style_kernel'])
    for n in ('w_qs', 'w_ks', 'w_vs', 'fc'):
        lin(out, f'ref_enc.slf_attn.{n}', s, s)
    lin(out, 'ref_enc.fc.fc', s, c['gin'])
    # ssl_proj (25 Hz) and the quantizer's buffers
    conv(out, 'ssl_proj', c['ssl'], c['ssl'], 2)
    cb = 'quantizer.vq.layers.0._codebook'
    out += [(f'{cb}.inited', [1]), (f'{cb}.cluster_size', [c['codebook']]),
            (f'{cb}.embed', [c['codebook'], c['ssl']]), (f'{cb}.embed_avg', [c['codebook'], c['ssl']])]
    if pro:  # v2Pro's speaker-verification parts (sv_emb is really [gin, 20480]; shrunk here)
        lin(out, 'sv_emb', 64, c['gin'])
        lin(out, 'ge_to512', c['gin'], 512 if c['gin'] == 512 else c['gin'])
        out.append(('prelu.weight', [c['gin']]))
    return out


def hubert_keys(c):
    out = [('masked_spec_embed', [c['hidden']])]
    in_c = 1
    for i, (o, k) in enumerate(zip(c['conv_dims'], c['kernels'])):
        out.append((f'feature_extractor.conv_layers.{i}.conv.weight', [o, in_c, k]))
        if i == 0:
            out += [('feature_extractor.conv_layers.0.layer_norm.weight', [o]),
                    ('feature_extractor.conv_layers.0.layer_norm.bias', [o])]
        in_c = o
    out += [('feature_projection.layer_norm.weight', [in_c]), ('feature_projection.layer_norm.bias', [in_c])]
    lin(out, 'feature_projection.projection', in_c, c['hidden'])
    d = c['hidden']
    # HF applies weight_norm(dim=2) to the positional conv: g is [1, 1, k]
    out += [('encoder.pos_conv_embed.conv.weight_g', [1, 1, c['pos_kernel']]),
            ('encoder.pos_conv_embed.conv.weight_v', [d, d // c['pos_groups'], c['pos_kernel']]),
            ('encoder.pos_conv_embed.conv.bias', [d]),
            ('encoder.layer_norm.weight', [d]), ('encoder.layer_norm.bias', [d])]
    for i in range(c['layers']):
        p = f'encoder.layers.{i}'
        for n in ('k_proj', 'v_proj', 'q_proj', 'out_proj'):
            lin(out, f'{p}.attention.{n}', d, d)
        out += [(f'{p}.layer_norm.weight', [d]), (f'{p}.layer_norm.bias', [d])]
        lin(out, f'{p}.feed_forward.intermediate_dense', d, c['ffn'])
        lin(out, f'{p}.feed_forward.output_dense', c['ffn'], d)
        out += [(f'{p}.final_layer_norm.weight', [d]), (f'{p}.final_layer_norm.bias', [d])]
    return out


def roberta_keys(c):
    """BertForMaskedLM in the old (TF-converted) naming: LayerNorm.gamma / LayerNorm.beta."""
    d, out = c['hidden'], []
    e = 'bert.embeddings'
    out += [(f'{e}.word_embeddings.weight', [c['vocab'], d]), (f'{e}.position_embeddings.weight', [c['max_pos'], d]),
            (f'{e}.token_type_embeddings.weight', [c['type_vocab'], d]),
            (f'{e}.LayerNorm.gamma', [d]), (f'{e}.LayerNorm.beta', [d])]
    for i in range(c['layers']):
        p = f'bert.encoder.layer.{i}'
        for n in ('query', 'key', 'value'):
            lin(out, f'{p}.attention.self.{n}', d, d)
        lin(out, f'{p}.attention.output.dense', d, d)
        out += [(f'{p}.attention.output.LayerNorm.gamma', [d]), (f'{p}.attention.output.LayerNorm.beta', [d])]
        lin(out, f'{p}.intermediate.dense', d, c['ffn'])
        lin(out, f'{p}.output.dense', c['ffn'], d)
        out += [(f'{p}.output.LayerNorm.gamma', [d]), (f'{p}.output.LayerNorm.beta', [d])]
    lin(out, 'bert.pooler.dense', d, d)
    out += [('cls.predictions.bias', [c['vocab']])]
    lin(out, 'cls.predictions.transform.dense', d, d)
    out += [('cls.predictions.transform.LayerNorm.gamma', [d]), ('cls.predictions.transform.LayerNorm.beta', [d])]
    # cls.predictions.decoder.weight is tied to the word embeddings (added below, same storage)
    return out


# ---- checksums of the tensors as the graphs want them ------------------------------------------

def checksum(t):
    x = t.detach().to(torch.float64).reshape(-1)
    w = torch.arange(x.numel(), dtype=torch.float64).remainder(7) + 1
    return {'n': x.numel(), 'sum': x.sum().item(), 'abs': x.abs().sum().item(), 'weighted': (x * w).sum().item(),
            'first': x[0].item(), 'last': x[-1].item()}


def graph_view(state, strip='', rename=None):
    """Graph initializer name -> float32 tensor, folding weight norm with torch's own _weight_norm."""
    out = {}
    for k, t in state.items():
        name = k[len(strip):] if strip and k.startswith(strip) else k
        if rename:
            name = rename(name)
        for g_suffix, v_suffix in (('.weight_g', '.weight_v'), ('.parametrizations.weight.original0', None)):
            if name.endswith(g_suffix):
                base = name[: -len(g_suffix)]
                v = state[k[: -len(g_suffix)] + (v_suffix or '.parametrizations.weight.original1')]
                dim = [i for i, n in enumerate(t.shape) if n != 1][0] if t.numel() > 1 else 0
                out[base + '.weight'] = torch._weight_norm(v.float(), t.float(), dim)
                break
        else:
            if not (name.endswith('.weight_v') or name.endswith('.parametrizations.weight.original1')):
                out[name] = t.float()
    return out


# ---- files -------------------------------------------------------------------------------------

def build_state(keys, dtype):
    state, spec = collections.OrderedDict(), {}
    for name, shape in keys:
        t, s = make_tensor(name, shape)
        state[name] = t.to(dtype)
        spec[name] = dict(s, dtype=str(dtype).replace('torch.', ''))
    return state, spec


def save_with_header(obj, path, code):
    """torch.save, then the first two bytes replaced by a version code as upstream's my_save2 does."""
    bio = io.BytesIO()
    torch.save(obj, bio)
    data = bio.getvalue()
    with open(path, 'wb') as f:
        f.write(code + data[2:])


def make_hparams_module():
    """A stand-in for upstream's utils.HParams (attribute bag, nested for dicts), pickled by reference
    as `utils.HParams` with its __dict__ as state, exactly like upstream's config objects."""
    mod = types.ModuleType('utils')

    class HParams:
        def __init__(self, **kwargs):
            for k, v in kwargs.items():
                setattr(self, k, HParams(**v) if isinstance(v, dict) else v)

    HParams.__module__ = 'utils'
    HParams.__qualname__ = 'HParams'
    mod.HParams = HParams
    sys.modules['utils'] = mod
    return HParams


def s2_config(c, version):
    return {
        'train': {'log_interval': 100, 'eval_interval': 500, 'seed': 1234, 'epochs': 8, 'learning_rate': 0.0001,
                  'betas': [0.8, 0.99], 'eps': 1e-09, 'batch_size': 4, 'fp16_run': True, 'lr_decay': 0.999875,
                  'segment_size': 20480, 'init_lr_ratio': 1, 'warmup_epochs': 0, 'c_mel': 45, 'c_kl': 1.0,
                  'text_low_lr_rate': 0.4, 'grad_ckpt': False, 'pretrained_s2G': 'GPT_SoVITS/pretrained_models/s2G.pth',
                  'if_save_latest': True, 'if_save_every_weights': True, 'save_every_epoch': 4, 'gpu_numbers': '0'},
        'data': {'max_wav_value': 32768.0, 'sampling_rate': 32000, 'filter_length': 2048, 'hop_length': 640,
                 'win_length': 2048, 'n_mel_channels': 128, 'mel_fmin': 0.0, 'mel_fmax': None, 'add_blank': True,
                 'n_speakers': 300, 'cleaned_text': True, 'exp_dir': 'logs/fixture'},
        'model': {'inter_channels': c['inter'], 'hidden_channels': c['hidden'], 'filter_channels': c['filter'],
                  'n_heads': c['heads'], 'n_layers': c['layers'], 'kernel_size': c['kernel'], 'p_dropout': 0.1,
                  'resblock': '1', 'resblock_kernel_sizes': c['res_kernels'],
                  'resblock_dilation_sizes': c['res_dilations'], 'upsample_rates': c['up_rates'],
                  'upsample_initial_channel': c['up_initial'], 'upsample_kernel_sizes': c['up_kernels'],
                  'n_layers_q': 3, 'use_spectral_norm': False, 'gin_channels': c['gin'],
                  'semantic_frame_rate': '25hz', 'freeze_quantizer': True, 'version': version},
        's2_ckpt_dir': 'logs/fixture', 'content_module': 'cnhubert', 'save_weight_dir': 'SoVITS_weights_v2',
        'name': 'fixture',
    }


def s1_config(c):
    return {
        'train': {'seed': 1234, 'epochs': 15, 'batch_size': 8, 'save_every_n_epoch': 5, 'precision': '16-mixed',
                  'gradient_clip': 1.0, 'if_save_latest': True, 'if_save_every_weights': True,
                  'half_weights_save_dir': 'GPT_weights_v2', 'exp_name': 'fixture', 'if_dpo': False},
        'optimizer': {'lr': 0.01, 'lr_init': 1e-05, 'lr_end': 0.0001, 'warmup_steps': 2000, 'decay_steps': 40000},
        'data': {'max_eval_sample': 8, 'max_sec': 54, 'num_workers': 4, 'pad_val': 1024},
        'model': {'vocab_size': c['vocab'], 'phoneme_vocab_size': c['phoneme_vocab'], 'embedding_dim': c['dim'],
                  'hidden_dim': c['dim'], 'head': c['heads'], 'linear_units': c['ffn'], 'n_layer': c['layers'],
                  'dropout': 0, 'EOS': c['vocab'] - 1, 'random_bert': 0},
        'inference': {'top_k': 15},
        'output_dir': 'logs/fixture/logs_s1_v2',
        'pretrained_s1': 'GPT_SoVITS/pretrained_models/s1.ckpt',
    }


def write_safetensors(path, tensors):
    """safetensors by hand: u64 header length, JSON header, then the raw little-endian data."""
    header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
    names = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}
    for name, t in tensors.items():
        t = t.contiguous()
        data = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {'dtype': names[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


class Evil:
    """Unpickling this would run `func(*args)`; pickling it only records the call."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def dtype_cases():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8 - 1
    shared = torch.arange(10, dtype=torch.float32)
    obj = collections.OrderedDict()
    obj['f16'] = torch.tensor([0.5, -2.0, 65504.0, 6.1035156e-05, 5.9604645e-08, 0.0, -0.0, 1 / 3], dtype=torch.float16)
    obj['bf16'] = torch.tensor([1.0, -3.5, 1e30, 1 / 3, -1e-20], dtype=torch.bfloat16)
    obj['f32'] = base
    obj['f64'] = torch.tensor([[1.25, -1e-3], [1e10, math.pi]], dtype=torch.float64)
    obj['i64'] = torch.tensor([-(2 ** 40), -1, 0, 7], dtype=torch.int64)
    obj['i32'] = torch.tensor([-5, 123456], dtype=torch.int32)
    obj['u8'] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    obj['bool'] = torch.tensor([True, False, True])
    obj['transposed'] = base.t()                      # strides (1, 6)
    obj['narrowed'] = base[1:3, 2:5]                  # storage offset 8, strides (6, 1)
    obj['stepped'] = base[:, ::2]                     # strides (6, 2)
    obj['shared_a'] = shared[2:6]                     # two views of one storage
    obj['shared_b'] = shared.view(2, 5)
    obj['scalar'] = torch.tensor(2.5)
    obj['empty'] = torch.zeros(0, 3)
    obj['param'] = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    obj['linear'] = torch.nn.Linear(3, 2).state_dict()  # OrderedDict with _metadata set through BUILD
    obj['size'] = torch.Size([3, 4])
    obj['plain'] = {'int': 42, 'neg': -7, 'big': 2 ** 40, 'huge': -(2 ** 70), 'float': 0.1, 'none': None,
                    'true': True, 'false': False, 'text': 'héllo ✓', 'bytes': b'\x00\xffab', 'list': [1, [2, 3]],
                    'tuple': (1, 'a', None), 'set': {3}, 'nested': {'a': {'b': [1.5]}}}
    return obj


def expected_dtypes(obj):
    out = {}
    for k, t in obj.items():
        if isinstance(t, torch.Tensor):
            out[k] = {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'stride': list(t.stride()),
                      'offset': t.storage_offset(), 'values': t.detach().to(torch.float64).reshape(-1).tolist()}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--upstream-keys', help="upstream's GPT_SoVITS source dir: check our key layouts against it")
    args = ap.parse_args()
    os.makedirs(os.path.join(OUT, 'hubert'), exist_ok=True)
    os.makedirs(os.path.join(OUT, 'roberta'), exist_ok=True)
    ref = {'generator': {
        'about': 'value i of tensor `name`: j = lowbias32(fnv1a(name) ^ (i*0x9E3779B1 mod 2^32)) & 2047; '
                 "kind 'one': 1 + ((j & 255) - 128)/1024; kind 'sym': (j - 1024)/1024 * 2^-shift",
    }, 'tensors': {}, 'graph': {}}
    HParams = make_hparams_module()

    def record(file, spec, graph):
        ref['tensors'][file] = spec
        ref['graph'][file] = {k: checksum(v) for k, v in graph.items()}

    # GPT (s1)
    state, spec = build_state(t2s_keys(T2S_TINY), torch.float16)
    torch.save({'weight': state, 'config': s1_config(T2S_TINY), 'info': 'GPT-e15'}, os.path.join(OUT, 's1-v2.ckpt'))
    record('s1-v2.ckpt', spec, graph_view(state, strip='model.'))

    # SoVITS (s2): v2 plain zip, v1 with header "00", v2Pro with header "05"
    for file, c, version, code, pro in (('s2-v2.pth', SOVITS_TINY, 'v2', None, False),
                                        ('s2-v1.pth', SOVITS_TINY_V1, 'v1', b'00', False),
                                        # refused on detection, so its codebook is shrunk to keep the file small
                                        ('s2-v2pro.pth', dict(SOVITS_TINY, codebook=16), 'v2Pro', b'05', True)):
        state, spec = build_state(sovits_keys(c, pro), torch.float16)
        obj = collections.OrderedDict(weight=dict(state), config=HParams(**s2_config(c, version)), info='8epoch_16iteration')
        path = os.path.join(OUT, file)
        if code:
            save_with_header(obj, path, code)
        else:
            torch.save(obj, path)
        record(file, spec, graph_view(state))

    # HuBERT: zip .bin with weight_g/weight_v, safetensors with the parametrizations naming
    state, spec = build_state(hubert_keys(HUBERT_TINY), torch.float32)
    torch.save(state, os.path.join(OUT, 'hubert', 'pytorch_model.bin'))
    record('hubert/pytorch_model.bin', spec, graph_view(state))
    renamed = collections.OrderedDict(
        (k.replace('conv.weight_g', 'conv.parametrizations.weight.original0')
          .replace('conv.weight_v', 'conv.parametrizations.weight.original1'), t) for k, t in state.items())
    write_safetensors(os.path.join(OUT, 'hubert', 'model.safetensors'), renamed)
    record('hubert/model.safetensors', {k: spec[k2] for k, k2 in zip(renamed, state)}, graph_view(renamed))
    c = HUBERT_TINY
    with open(os.path.join(OUT, 'hubert', 'config.json'), 'w') as f:
        json.dump({'architectures': ['HubertModel'], 'model_type': 'hubert', 'hidden_size': c['hidden'],
                   'num_attention_heads': c['heads'], 'num_hidden_layers': c['layers'], 'intermediate_size': c['ffn'],
                   'conv_dim': c['conv_dims'], 'conv_kernel': c['kernels'], 'conv_stride': c['strides'],
                   'conv_bias': False, 'num_conv_pos_embeddings': c['pos_kernel'],
                   'num_conv_pos_embedding_groups': c['pos_groups'], 'feat_extract_norm': 'group',
                   'do_stable_layer_norm': False, 'hidden_act': 'gelu', 'layer_norm_eps': 1e-05}, f, indent=2)

    # RoBERTa: legacy (pre-1.6) torch.save format, fp16, tied decoder weight
    state, spec = build_state(roberta_keys(ROBERTA_TINY), torch.float16)
    state['cls.predictions.decoder.weight'] = state['bert.embeddings.word_embeddings.weight']
    spec['cls.predictions.decoder.weight'] = spec['bert.embeddings.word_embeddings.weight']
    torch.save(state, os.path.join(OUT, 'roberta', 'pytorch_model.bin'), _use_new_zipfile_serialization=False)
    gamma_beta = lambda n: re.sub(r'LayerNorm\.gamma$', 'LayerNorm.weight', re.sub(r'LayerNorm\.beta$', 'LayerNorm.bias', n))
    record('roberta/pytorch_model.bin', spec, graph_view(state, strip='bert.', rename=gamma_beta))
    c = ROBERTA_TINY
    with open(os.path.join(OUT, 'roberta', 'config.json'), 'w') as f:
        json.dump({'architectures': ['BertForMaskedLM'], 'model_type': 'bert', 'vocab_size': c['vocab'],
                   'hidden_size': c['hidden'], 'num_hidden_layers': c['layers'], 'num_attention_heads': c['heads'],
                   'intermediate_size': c['ffn'], 'max_position_embeddings': c['max_pos'],
                   'type_vocab_size': c['type_vocab'], 'layer_norm_eps': 1e-12, 'hidden_act': 'gelu'}, f, indent=2)

    # Reader cases
    obj = dtype_cases()
    torch.save(obj, os.path.join(OUT, 'dtypes.pt'))
    torch.save(obj, os.path.join(OUT, 'dtypes-p4.pt'), pickle_protocol=4)
    torch.save(obj, os.path.join(OUT, 'dtypes-legacy.pt'), _use_new_zipfile_serialization=False)
    ref['dtypes'] = expected_dtypes(obj)
    ref['dtypes_linear'] = {k: v.reshape(-1).tolist() for k, v in obj['linear'].items()}
    write_safetensors(os.path.join(OUT, 'dtypes.safetensors'),
                      {'f32': obj['f32'], 'f16': obj['f16'], 'bf16': obj['bf16']})

    # Malicious pickles (never unpickle these with Python)
    marker = '/tmp/mynah-fixture-pwned'
    small = {'w': torch.ones(2, dtype=torch.float16)}
    torch.save({'weight': dict(small, evil=Evil(os.system, f'touch {marker}')), 'config': {}, 'info': 'x'},
               os.path.join(OUT, 'malicious-os-system.ckpt'))
    torch.save({'weight': small, 'config': {'x': Evil(eval, f"__import__('os').system('touch {marker}')")}, 'info': 'x'},
               os.path.join(OUT, 'malicious-eval.ckpt'), _use_new_zipfile_serialization=False)
    import subprocess
    torch.save(collections.OrderedDict(weight=small, config=HParams(model={'x': Evil(subprocess.Popen, ['touch', marker])}),
                                       info='x'), os.path.join(OUT, 'malicious-subprocess.pth'))

    if args.upstream_keys:
        ref_up = check_upstream(args.upstream_keys)
        with open(os.path.join(OUT, 'upstream-keys.json'), 'w') as f:
            json.dump(ref_up, f, separators=(',', ':'), sort_keys=True)

    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(ref, f, separators=(',', ':'), sort_keys=True)
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(OUT) for n in ns)
    print(f'wrote {OUT} ({total / 1e6:.2f} MB)')


def stub_upstream_imports(src, rearrange=None):
    """Puts upstream's GPT_SoVITS dir on sys.path and stubs the imports its model code makes but
    building and running the modules does not need (training, text frontend, v3/v4 parts).
    `rearrange`: an einops stand-in for code paths that call it (the quantizer's decode)."""
    sys.path.insert(0, src)

    def stub(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    stub('f5_tts')
    stub('f5_tts.model', DiT=object)
    stub('text', symbols=stub('text.symbols', symbols=['_'] * 322), symbols2=stub('text.symbols2', symbols=['_'] * 732))
    stub('einops', rearrange=rearrange, repeat=None)
    stub('tqdm', tqdm=lambda x, *a, **k: x)
    stub('packaging', version=stub('packaging.version', parse=lambda s: (9,)))
    stub('torchmetrics')
    stub('torchmetrics.classification', MulticlassAccuracy=lambda *a, **k: None)
    stub('librosa', filters=stub('librosa.filters', mel=None))  # imported by mel_processing, unused here
    import torch.nn.functional as F
    for n in ('_mha_shape_check', '_canonical_mask', '_none_or_dtype', '_in_projection_packed'):
        setattr(F, n, getattr(F, n, None))
    torch.jit.script = lambda f, *a, **k: f  # old torch cannot script upstream's newer code; not needed here


def check_upstream(src):
    """Instantiates upstream's networks (real sizes) and compares their state dict keys and shapes with
    this script's layouts. Imports upstream does not need for building the modules are stubbed."""
    stub_upstream_imports(src)
    from module.models import SynthesizerTrn
    from AR.models.t2s_model import Text2SemanticDecoder
    import yaml
    s2 = json.load(open(os.path.join(src, 'configs', 's2.json')))
    s1 = yaml.safe_load(open(os.path.join(src, 'configs', 's1longer-v2.yaml')))
    out = {}
    for version, ours in (('v1', sovits_keys(SOVITS_V1)), ('v2', sovits_keys(SOVITS_V2))):
        m = SynthesizerTrn(1025, 32, n_speakers=300, **dict(s2['model'], version=version))
        theirs = {k: list(v.shape) for k, v in m.state_dict().items() if not k.startswith('enc_q.')}
        assert dict(ours) == theirs, f'SoVITS {version} layout differs: {set(dict(ours)) ^ set(theirs)}'
        out['sovits_' + version] = theirs
    t = Text2SemanticDecoder(config=s1, top_k=3)
    theirs = {'model.' + k: list(v.shape) for k, v in t.state_dict().items()}
    assert dict(t2s_keys(T2S_V2)) == theirs, f'T2S layout differs: {set(dict(t2s_keys(T2S_V2))) ^ set(theirs)}'
    out['t2s_v2'] = theirs
    print('upstream layouts match (SoVITS v1, v2; T2S v2)')
    return out


if __name__ == '__main__':
    main()
