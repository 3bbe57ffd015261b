#!/usr/bin/python3
"""Writes test/fixtures/v3v4: reference outputs of upstream GPT-SoVITS's own PyTorch modules for the
v3/v4 SoVITS (SynthesizerTrnV3: decode_encp, the CFM with its DiT) and the v4 vocoder (models.Generator),
to check our ONNX graphs, the checkpoint mapping and the LoRA merge.

    /usr/bin/python3 scripts/make-v3v4-fixtures.py --upstream /path/to/GPT_SoVITS [--real]

Needs Debian's python3-torch (tested with 1.13) and upstream's source tree; nothing is downloaded.
Upstream's modules are imported (training-only imports stubbed, see make-checkpoint-fixtures.py) and run
in fp32, eval mode, no_grad. Three libraries upstream imports are not installed here and get small
stand-ins that compute the same numbers:
  x_transformers.x_transformers  RotaryEmbedding(dim).forward_from_seq_len and apply_rotary_pos_emb as the
                                 current x_transformers (unpinned in upstream's requirements) defines them:
                                 inv_freq = 1/10000^(2i/dim), freqs interleaved (f0 f0 f1 f1 ...), rotate_half
                                 on pairs (x0, x1) -> (-x1, x0), applied to the first `dim` channels of the
                                 full query/key (dim_head of 1024: upstream's DiT rotates head 0 only);
  torch F.scaled_dot_product_attention  (torch >= 2.0; 1.13 lacks it): softmax(q k^T / sqrt(d) with a
                                 boolean mask) v, the math path;
  librosa.filters.mel            Slaney mel scale and Slaney area normalisation (librosa's defaults), float32.
peft is not installed either: the LoRA merge is written out as peft's LoraLayer.merge computes it for
nn.Linear (W += (B @ A) * lora_alpha / r, fan_in_fan_out False), with upstream's LoraConfig
(target_modules to_k/to_q/to_v/to_out.0, lora_alpha = r). The LoRA file layout is what upstream's
s2_train_v3_lora.py saves: the trainable parameters of SynthesizerTrnV3 with cfm wrapped by
get_peft_model (keys cfm.base_model.model.<module>.lora_A/B.default.weight; the frozen enc_p, ssl_proj,
cfm base weights left out; buffers kept), fp16, header b'04'.

  input/                 formula waveform A (1.5 s, 32 kHz), its reference spectrogram (2048/640) and its v4
                         mel (TTS.py mel_fn_v4 -> norm_spec); prompt and target codes/phones
  tiny-v4/               tiny SynthesizerTrnV3(version='v4') + tiny v4 Generator: s2.pth (full, PK header, as
                         upstream's s2Gv4.pth), lora.pth (header 04) and vocoder.pth (plain fp32 state dict),
                         arrays for the full model and for base + LoRA merged
  tiny-v3/               tiny SynthesizerTrnV3(version='v3') (x1.875 upsampling, 24 kHz mel prompt) + tiny BigVGAN v2
                         (snakebeta, anti-aliased activations): s2.pth and bigvgan_generator.pt ({'generator': state
                         dict}, weight-normed, fp32, as nvidia's bigvgan_v2_24khz_100band_256x release)
  real-v4/, real-v3/     (--real) real-size models (configs/s2.json's model section, TTS.py init_vocoder's
                         Generator); outputs only, the weights are regenerated from weights-spec.json
"""
import argparse
import collections
import copy
import importlib
import io
import json
import math
import os
import sys
import time
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'v3v4')
sys.path.insert(0, HERE)
ckf = importlib.import_module('make-checkpoint-fixtures')
pro = importlib.import_module('make-v2pro-fixtures')  # formula, fill_weights, waveform, write_arrays, ...

UPSTREAM_COMMIT = '48b1a01'
SR32 = 32000
SPEC_MIN, SPEC_MAX = -12, 2
V4_MEL = dict(n_fft=1280, win_size=1280, hop_size=320, num_mels=100, sampling_rate=32000, fmin=0, fmax=None, center=False)
V4_VOCODER = dict(initial_channel=100, resblock='1', resblock_kernel_sizes=[3, 7, 11],
                  resblock_dilation_sizes=[[1, 3, 5]] * 3, upsample_rates=[10, 6, 2, 2, 2],
                  upsample_initial_channel=512, upsample_kernel_sizes=[20, 12, 4, 4, 4], gin_channels=0, is_bias=True)
TINY_VOCODER = dict(V4_VOCODER, upsample_initial_channel=32)
V4_CHUNK = dict(T_ref=500, T_chunk=1000)  # TTS.py init_vocoder('v4')
V3_CHUNK = dict(T_ref=468, T_chunk=934)  # TTS.py init_vocoder('v3')
TINY_CHUNK = {'v4': dict(T_ref=500, T_chunk=70), 'v3': dict(T_ref=468, T_chunk=67)}  # the chunk loop runs twice
V3_MEL = dict(n_fft=1024, win_size=1024, hop_size=256, num_mels=100, sampling_rate=24000, fmin=0, fmax=None, center=False)
# nvidia/bigvgan_v2_24khz_100band_256x's config.json (the generator part)
BIGVGAN_V2_24K = dict(resblock='1', num_mels=100, upsample_rates=[4, 4, 2, 2, 2, 2], upsample_kernel_sizes=[8, 8, 4, 4, 4, 4],
                      upsample_initial_channel=1536, resblock_kernel_sizes=[3, 7, 11],
                      resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5], [1, 3, 5]], activation='snakebeta', snake_logscale=True,
                      use_tanh_at_final=False, use_bias_at_final=False, sampling_rate=24000, hop_size=256)
TINY_BIGVGAN = dict(BIGVGAN_V2_24K, upsample_initial_channel=128)

TINY_MODEL = dict(pro.TINY_MODEL, gin_channels=32, upsample_initial_channel=32, upsample_kernel_sizes=[16, 16, 8, 2, 2])
TINY_SSL, TINY_MRTE, TINY_STYLE, TINY_INTER2 = 32, 32, 16, 24
TINY_DIT = dict(dim=64, depth=2, heads=4, dim_head=16, ff_mult=2, text_dim=TINY_INTER2, conv_layers=2)
REAL_DIT = dict(dim=1024, depth=22, heads=16, dim_head=64, ff_mult=2, text_dim=512, conv_layers=4)
LORA_RANK = 4
LORA_TARGETS = ('to_k', 'to_q', 'to_v', 'to_out.0')
STEPS = {'tiny': 4, 'real': 2}
REAL_RANDN = torch.randn


# ---- stand-ins for libraries that are not installed --------------------------------------------

class RotaryEmbedding(torch.nn.Module):
    """x_transformers.RotaryEmbedding(dim) without xpos: forward_from_seq_len(n) -> (freqs [1, n, dim], 1.0)."""

    def __init__(self, dim, base=10000):
        super().__init__()
        self.register_buffer('inv_freq', 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)))

    def forward_from_seq_len(self, seq_len):
        t = torch.arange(seq_len, dtype=torch.float32)[None]
        freqs = torch.einsum('b i , j -> b i j', t, self.inv_freq)
        return torch.stack((freqs, freqs), dim=-1).reshape(1, seq_len, -1), 1.0


def rotate_half(x):
    x = x.reshape(*x.shape[:-1], -1, 2)
    x1, x2 = x.unbind(dim=-1)
    return torch.stack((-x2, x1), dim=-1).reshape(*x.shape[:-2], -1)


def apply_rotary_pos_emb(t, freqs, scale=1):
    rot_dim, seq_len = freqs.shape[-1], t.shape[-2]
    freqs = freqs[:, -seq_len:, :]
    if t.ndim == 4 and freqs.ndim == 3:
        freqs = freqs[:, None]
    t, t_unrotated = t[..., :rot_dim], t[..., rot_dim:]
    t = (t * freqs.cos() * scale) + (rotate_half(t) * freqs.sin() * scale)
    return torch.cat((t, t_unrotated), dim=-1)


def scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False):
    assert dropout_p == 0.0 and not is_causal
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if attn_mask is not None:
        s = s.masked_fill(~attn_mask, float('-inf')) if attn_mask.dtype == torch.bool else s + attn_mask
    return torch.softmax(s, dim=-1) @ v


def hz_to_mel(f):
    f = np.asanyarray(f, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    mels = f / f_sp
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def mel_to_hz(m):
    m = np.asanyarray(m, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def librosa_mel(*, sr, n_fft, n_mels=128, fmin=0.0, fmax=None, dtype=np.float32, **_):
    """librosa.filters.mel(htk=False, norm='slaney'): weights built in a float32 array as librosa does."""
    fmax = sr / 2 if fmax is None else fmax
    weights = np.zeros((n_mels, 1 + n_fft // 2), dtype=dtype)
    fftfreqs = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, np.newaxis]
    return weights


def import_upstream(src):
    src = os.path.abspath(src)
    ckf.stub_upstream_imports(src, rearrange=pro.rearrange)
    import torch.nn.functional as F
    F.scaled_dot_product_attention = scaled_dot_product_attention
    xt = types.ModuleType('x_transformers')
    xtx = types.ModuleType('x_transformers.x_transformers')
    xtx.RotaryEmbedding, xtx.apply_rotary_pos_emb = RotaryEmbedding, apply_rotary_pos_emb
    xt.x_transformers = xtx
    sys.modules['x_transformers'], sys.modules['x_transformers.x_transformers'] = xt, xtx
    sys.modules['librosa'].filters.mel = librosa_mel
    # dit.py imports its siblings as GPT_SoVITS.f5_tts.model.modules: make upstream's parent dir importable
    sys.path.insert(0, os.path.dirname(src))
    for name in ('f5_tts', 'f5_tts.model'):
        sys.modules.pop(name, None)
    from GPT_SoVITS.f5_tts.model.backbones import dit
    sys.modules['f5_tts'] = types.ModuleType('f5_tts')
    sys.modules['f5_tts.model'] = types.SimpleNamespace(DiT=dit.DiT)
    hub = types.ModuleType('huggingface_hub')  # BigVGAN's hub mixin: downloading is not needed here
    hub.PyTorchModelHubMixin, hub.hf_hub_download = type('PyTorchModelHubMixin', (), {}), None
    sys.modules['huggingface_hub'] = hub
    from module import models, modules, mrte_model, quantize, mel_processing
    from BigVGAN import bigvgan, env
    return types.SimpleNamespace(models=models, modules=modules, mrte=mrte_model, quantize=quantize,
                                 mel=mel_processing, dit=dit, bigvgan=bigvgan, env=env)


# ---- models ------------------------------------------------------------------------------------

def build_v3v4(up, src, version, tiny):
    model_cfg = dict(TINY_MODEL) if tiny else json.load(open(os.path.join(src, 'configs', 's2.json')))['model']
    model_cfg = dict(model_cfg, semantic_frame_rate='25hz')
    m = up.models.SynthesizerTrnV3(1025, 32, n_speakers=300, **dict(model_cfg, version=version))
    replaced = collections.OrderedDict()
    if tiny:
        gin, hid, inter = model_cfg['gin_channels'], model_cfg['hidden_channels'], model_cfg['inter_channels']
        reps = [
            ('enc_p.ssl_proj', f'nn.Conv1d({TINY_SSL}, {hid}, 1)', lambda: torch.nn.Conv1d(TINY_SSL, hid, 1)),
            ('ssl_proj', f'nn.Conv1d({TINY_SSL}, {TINY_SSL}, 2, stride=2)', lambda: torch.nn.Conv1d(TINY_SSL, TINY_SSL, 2, stride=2)),
            ('quantizer', f'ResidualVectorQuantizer(dimension={TINY_SSL}, n_q=1, bins=1024)',
             lambda: up.quantize.ResidualVectorQuantizer(dimension=TINY_SSL, n_q=1, bins=1024)),
            ('enc_p.mrte', f'MRTE(content_enc_channels={hid}, hidden_size={TINY_MRTE}, out_channels={hid}, n_heads=4)',
             lambda: up.mrte.MRTE(content_enc_channels=hid, hidden_size=TINY_MRTE, out_channels=hid, n_heads=4)),
            ('ref_enc', f'MelStyleEncoder(704, style_hidden={TINY_STYLE}, style_vector_dim={gin})',
             lambda: up.modules.MelStyleEncoder(704, style_hidden=TINY_STYLE, style_vector_dim=gin)),
            ('bridge', f'nn.Sequential(nn.Conv1d({inter}, {TINY_INTER2}, 1), nn.LeakyReLU())',
             lambda: torch.nn.Sequential(torch.nn.Conv1d(inter, TINY_INTER2, 1), torch.nn.LeakyReLU())),
            ('wns1', f'Encoder({TINY_INTER2}, {TINY_INTER2}, {TINY_INTER2}, 5, 1, 8, gin_channels={gin})',
             lambda: up.models.Encoder(TINY_INTER2, TINY_INTER2, TINY_INTER2, 5, 1, 8, gin_channels=gin)),
            ('linear_mel', f'nn.Conv1d({TINY_INTER2}, 100, 1)', lambda: torch.nn.Conv1d(TINY_INTER2, 100, 1)),
            ('cfm', f'CFM(100, DiT({", ".join(f"{k}={v}" for k, v in TINY_DIT.items())}))',
             lambda: up.models.CFM(100, up.dit.DiT(**TINY_DIT))),
        ]
        for path, desc, make in reps:
            parent = m.get_submodule(path.rsplit('.', 1)[0]) if '.' in path else m
            old = getattr(parent, path.rsplit('.', 1)[-1])
            setattr(parent, path.rsplit('.', 1)[-1], make())
            replaced[path] = {'upstream': pro.repr_short(old), 'fixture': desc}
    m.eval()
    return m, model_cfg, replaced


def build_vocoder(up, tiny, version='v4'):
    if version == 'v3':  # BigVGAN.from_pretrained: a weight-normed model (the release keeps weight_g/weight_v)
        g = up.bigvgan.BigVGAN(up.env.AttrDict(TINY_BIGVGAN if tiny else BIGVGAN_V2_24K))
        g.eval()
        return g
    g = up.models.Generator(**(TINY_VOCODER if tiny else V4_VOCODER))
    g.remove_weight_norm()  # TTS.py init_vocoder: vocoder.pth holds the folded weights
    g.eval()
    return g


def fill_keeping_buffers(m, suffixes):
    """fill_weights, but buffers computed by the model (anti-aliasing filters) keep their values; their spec
    lists them ('values')."""
    keep = {k: t.clone() for k, t in m.state_dict().items() if k.endswith(suffixes)}
    spec = pro.fill_weights(m)
    state = m.state_dict()
    for k, t in keep.items():
        state[k].copy_(t)
        spec[k] = {'shape': list(t.shape), 'kind': 'values', 'values': [float(x) for x in t.flatten()]}
    return spec


def fix_rotary_buffer(m, spec):
    """x_transformers registers RotaryEmbedding.inv_freq as a persistent buffer, so upstream's files carry it
    (fp16, as savee halves everything) and loading them puts those fp16-rounded values back. The fixture keeps
    the computed values rounded to fp16 instead of formula values."""
    key = 'cfm.estimator.rotary_embed.inv_freq'
    buf = m.get_submodule('cfm.estimator.rotary_embed').inv_freq
    dim = 2 * buf.numel()
    vals = (1.0 / (10000 ** (torch.arange(0, dim, 2).float() / dim))).half().float()
    buf.copy_(vals)
    spec[key] = {'shape': [buf.numel()], 'kind': 'values', 'values': [float(x) for x in vals]}


def trainable_lora_state(m, cfm_peft_keys):
    """The keys s2_train_v3_lora.py saves: state dict entries that are not frozen parameters. Frozen (by
    freeze_quantizer and by peft): ssl_proj, quantizer parameters (none), enc_p, every cfm base weight."""
    out = collections.OrderedDict()
    for k, t in m.state_dict().items():
        if k.startswith(('enc_p.', 'ssl_proj.', 'cfm.')):
            continue
        out[k] = t
    # peft wraps cfm: PeftModel.base_model (LoraModel).model (the CFM)
    out.update(cfm_peft_keys)
    return out


def lora_targets(cfm):
    return [name for name, mod in cfm.named_modules()
            if isinstance(mod, torch.nn.Linear) and any(name == t or name.endswith('.' + t) for t in LORA_TARGETS)]


# ---- inputs ------------------------------------------------------------------------------------

def norm_spec(x):
    return (x - SPEC_MIN) / (SPEC_MAX - SPEC_MIN) * 2 - 1


def denorm_spec(x):
    return (x + 1) / 2 * (SPEC_MAX - SPEC_MIN) + SPEC_MIN


def make_inputs(up):
    out = collections.OrderedDict()
    out['prompt_codes'] = torch.from_numpy(ckf.raw_ints('prompt_codes', 10) % 1024).reshape(1, 1, 10)
    out['prompt_phones'] = torch.from_numpy(ckf.raw_ints('prompt_phones', 8) % 732).reshape(1, 8)
    out['codes'] = torch.from_numpy(ckf.raw_ints('codes', 12) % 1024).reshape(1, 1, 12)
    out['phones'] = torch.from_numpy(ckf.raw_ints('phones', 9) % 732).reshape(1, 9)
    audio = pro.waveform('A', 1.5, 120.0, 180.0, 5.0)
    out['wav32k'] = audio
    out['spec'] = up.mel.spectrogram_torch(audio, 2048, SR32, 640, 2048, center=False)
    mel = up.mel.mel_spectrogram_torch(audio, **V4_MEL)
    out['mel_v4'] = mel
    out['mel_v4_norm'] = norm_spec(mel)
    out['mel_filters_v4'] = torch.from_numpy(librosa_mel(sr=32000, n_fft=1280, n_mels=100))
    import torchaudio
    wav24 = torchaudio.transforms.Resample(SR32, 24000)(audio)  # TTS.py resample(ref, 32000, 24000)
    out['wav24k'] = wav24
    out['mel_v3'] = up.mel.mel_spectrogram_torch(wav24, **V3_MEL)
    out['mel_v3_norm'] = norm_spec(out['mel_v3'])
    out['mel_filters_v3'] = torch.from_numpy(librosa_mel(sr=24000, n_fft=1024, n_mels=100))
    return out


def fixed_noise(tag, shape):
    g = torch.Generator().manual_seed(int(ckf.fnv1a(tag)))
    return REAL_RANDN(shape, generator=g)


# ---- the v3/v4 synthesis, as TTS.py using_vocoder_synthesis ----------------------------------

def synthesize(m, vocoder, inputs, chunk_cfg, steps, tag, speed=1, mel_key='mel_v4_norm'):
    """TTS.using_vocoder_synthesis with fixed noise per CFM chunk (torch.randn patched in CFM.inference);
    captures every estimator call of the first chunk."""
    cap = collections.OrderedDict()
    refer = inputs['spec']
    fea_ref, ge = m.decode_encp(inputs['prompt_codes'], inputs['prompt_phones'], refer)
    cap['ge'], cap['fea_ref_full'] = ge, fea_ref
    mel2 = inputs[mel_key]
    T_min = min(mel2.shape[2], fea_ref.shape[2])
    mel2, fea_ref = mel2[:, :, :T_min], fea_ref[:, :, :T_min]
    if T_min > chunk_cfg['T_ref']:
        mel2, fea_ref = mel2[:, :, -chunk_cfg['T_ref']:], fea_ref[:, :, -chunk_cfg['T_ref']:]
        T_min = chunk_cfg['T_ref']
    chunk_len = chunk_cfg['T_chunk'] - T_min
    fea_todo, ge2 = m.decode_encp(inputs['codes'], inputs['phones'], refer, ge, speed)
    assert ge2 is ge
    cap['fea_todo'] = fea_todo

    noises, steps_seen = [], []
    calls = {'n': 0}

    def randn(shape, *a, **k):
        t = fixed_noise(f'{tag}/noise{calls["n"]}', list(shape))
        calls['n'] += 1
        noises.append(t.clone())
        return t

    est = m.cfm.estimator
    f_est = est.forward

    def est_forward(x, cond, x_lens, time, dt, text, *a, **k):
        r = f_est(x, cond, x_lens, time, dt, text, *a, **k)
        if calls['n'] == 1:
            steps_seen.append({'x': x.clone(), 'cond': cond.clone(), 'text': text.clone(), 't': time.clone(),
                               'd': dt.clone(), 'v': r[0].clone()})
        return r

    est.forward = est_forward
    torch.randn = randn
    chunks, idx = [], 0
    try:
        while True:
            part = fea_todo[:, :, idx: idx + chunk_len]
            if part.shape[-1] == 0:
                break
            idx += chunk_len
            fea = torch.cat([fea_ref, part], 2).transpose(2, 1)
            res = m.cfm.inference(fea, torch.LongTensor([fea.size(1)]), mel2, steps, inference_cfg_rate=0)
            res = res[:, :, mel2.shape[2]:]
            mel2 = res[:, :, -T_min:]
            fea_ref = part[:, :, -T_min:]
            chunks.append(res)
    finally:
        torch.randn = REAL_RANDN
        del est.forward
    mel = torch.cat(chunks, 2)
    cap['T_min'], cap['chunk_len'], cap['chunks'] = T_min, chunk_len, len(chunks)
    cap['noise'] = noises
    cap['steps'] = steps_seen
    cap['mel_norm'] = mel
    cap['mel'] = denorm_spec(mel)
    cap['audio'] = vocoder(cap['mel'])
    return cap


# ---- files -------------------------------------------------------------------------------------

def s2_hparams(HParams, src, version, model_cfg):
    cfg = json.load(open(os.path.join(src, 'configs', 's2.json')))
    cfg['model'] = dict(model_cfg, version=version)
    cfg['data']['exp_dir'] = 'logs/fixture'
    cfg['train']['lora_rank'] = LORA_RANK
    cfg.update(s2_ckpt_dir='logs/fixture', content_module='cnhubert', save_weight_dir=f'SoVITS_weights_{version}',
               name='fixture')
    return HParams(**cfg)


def torch_bytes(obj, header=None):
    bio = io.BytesIO()
    torch.save(obj, bio)
    data = bio.getvalue()
    return header + data[2:] if header else data


def full_pth(m, hps):
    opt = collections.OrderedDict()
    opt['weight'] = {k: t.half() for k, t in m.state_dict().items() if 'enc_q' not in k}
    opt['config'] = hps
    opt['info'] = 'pretrained_s2Gv4-like fixture'
    return torch_bytes(opt)  # PK header: upstream's full v3/v4 files (s2Gv3.pth, s2Gv4.pth) carry none


def lora_pth(state, hps, code=b'04'):
    opt = collections.OrderedDict()
    opt['weight'] = {k: t.half() for k, t in state.items() if 'enc_q' not in k}
    opt['config'] = hps
    opt['info'] = '8epoch_16iteration'
    opt['lora_rank'] = LORA_RANK
    return torch_bytes(opt, code)


def save_arrays(folder, cap, steps_keep=2):
    arrays = collections.OrderedDict()
    arrays['ge'] = cap['ge']
    arrays['fea_ref_full'] = cap['fea_ref_full']
    arrays['fea_todo'] = cap['fea_todo']
    for i, n in enumerate(cap['noise']):
        arrays[f'noise{i}'] = n
    for i, s in enumerate(cap['steps']):
        if i < steps_keep:
            for k in ('x', 'cond', 'text', 't', 'd'):
                arrays[f'step{i}_{k}'] = s[k]
        arrays[f'step{i}_v'] = s['v']
    arrays['mel_norm'] = cap['mel_norm']
    arrays['mel'] = cap['mel']
    arrays['audio'] = cap['audio']
    for k, t in arrays.items():
        assert torch.isfinite(t).all(), f'{folder}: {k} not finite'
    pro.write_arrays(folder, arrays)
    return arrays


def run_case(up, src, name, version, tiny, inputs, HParams):
    t0 = time.time()
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    m, model_cfg, replaced = build_v3v4(up, src, version, tiny)
    spec = pro.fill_weights(m)
    fix_rotary_buffer(m, spec)
    voc = build_vocoder(up, tiny, version)
    voc_spec = fill_keeping_buffers(voc, ('.filter',)) if version == 'v3' else pro.fill_weights(voc)
    if version == 'v3':
        # With formula weights (every weight-normed conv's norm ~1) BigVGAN's output would sit at its ±1 clamp;
        # halving every weight_g (exact: a power of two) keeps the waveform in range (rms ~0.4), so the
        # comparison means something. The spec records the factor ('scale').
        state = voc.state_dict()
        for k in state:
            if k.endswith('weight_g'):
                state[k].mul_(0.5)
                voc_spec[k]['scale'] = 0.5
    voc_file = None
    if version == 'v3':
        # bigvgan_generator.pt as nvidia saves it (weight-normed, fp32), then TTS.py's remove_weight_norm
        voc_file = torch_bytes({'generator': copy.deepcopy(voc.state_dict())})
        voc.remove_weight_norm()
    hps = s2_hparams(HParams, src, version, model_cfg)
    size = 'tiny' if tiny else 'real'
    chunk_cfg = TINY_CHUNK[version] if tiny else (V3_CHUNK if version == 'v3' else V4_CHUNK)
    mel_key = 'mel_v3_norm' if version == 'v3' else 'mel_v4_norm'
    cap = synthesize(m, voc, inputs, chunk_cfg, STEPS[size], name, mel_key=mel_key)
    arrays = save_arrays(folder, cap)
    # speed != 1: decode_encp's resize and wns1's mask
    slow, _ = m.decode_encp(inputs['codes'], inputs['phones'], inputs['spec'], cap['ge'], 0.9)
    pro.write_arrays(os.path.join(folder, 'speed'), collections.OrderedDict(fea_todo_speed_0_9=slow))
    files = {}
    meta_lora = None
    if tiny:
        data = full_pth(m, hps)
        with open(os.path.join(folder, 's2.pth'), 'wb') as f:
            f.write(data)
        files['s2.pth'] = len(data)
        if version == 'v3':
            with open(os.path.join(folder, 'bigvgan_generator.pt'), 'wb') as f:
                f.write(voc_file)
            files['bigvgan_generator.pt'] = len(voc_file)
        else:
            vbytes = torch_bytes(voc.half().float().state_dict())  # values are fp16-exact; upstream's file is fp32
            with open(os.path.join(folder, 'vocoder.pth'), 'wb') as f:
                f.write(vbytes)
            files['vocoder.pth'] = len(vbytes)
            meta_lora = run_lora(up, m, hps, inputs, voc, chunk_cfg, STEPS[size], folder, name)
            files['lora.pth'] = meta_lora['bytes']
    else:
        sp = collections.OrderedDict()
        sp.update(('s2/' + k, v) for k, v in spec.items())
        sp.update(('vocoder/' + k, v) for k, v in voc_spec.items())
        pro.write_weights_spec(os.path.join(folder, 'weights-spec.json'), sp)
    stats = {k: pro.rms(arrays[k]) for k in ('ge', 'fea_todo', 'step0_v', 'mel', 'audio')}
    stats['audio_absmax'] = float(arrays['audio'].abs().max())
    meta = {
        'case': name, 'version': version, 'size': size,
        'upstream': {'commit': UPSTREAM_COMMIT, 'files': ['module/models.py', 'module/modules.py', 'module/mrte_model.py',
                                                          'module/mel_processing.py', 'f5_tts/model/backbones/dit.py',
                                                          'f5_tts/model/modules.py', 'TTS_infer_pack/TTS.py', 'process_ckpt.py',
                                                          's2_train_v3_lora.py']},
        'torch': torch.__version__, 'numpy': np.__version__,
        'sovits': {'constructor': f"SynthesizerTrnV3(1025, 32, n_speakers=300, **model, version='{version}')", 'model': model_cfg,
                   'dit': TINY_DIT if tiny else REAL_DIT, 'replaced': replaced,
                   'sizes': {'ssl_dim': TINY_SSL if tiny else 768, 'mrte_hidden': TINY_MRTE if tiny else 512,
                             'style_hidden': TINY_STYLE if tiny else 128, 'inter2': TINY_INTER2 if tiny else 512},
                   'counts': pro.counts(m), 'cfm_parameters': sum(p.numel() for p in m.cfm.parameters())},
        'vocoder': {'constructor': (f'BigVGAN(AttrDict({TINY_BIGVGAN if tiny else BIGVGAN_V2_24K})), weights saved weight-normed '
                                    "as {'generator': state_dict} (bigvgan_generator.pt), then remove_weight_norm(); every "
                                    'weight_g is the formula value x 0.5 (spec: scale)')
                    if version == 'v3' else f'Generator(**{TINY_VOCODER if tiny else V4_VOCODER}) then remove_weight_norm()',
                    'parameters': sum(p.numel() for p in voc.parameters())},
        'synthesis': {'steps': STEPS[size], **chunk_cfg, 'T_min': cap['T_min'], 'chunk_len': cap['chunk_len'],
                      'chunks': cap['chunks'], 'speed': 1},
        'file_bytes': files,
        'lora': meta_lora,
        'calls': {
            'ge, fea_ref_full': 'decode_encp(prompt_codes, prompt_phones, spec) (fea [1, inter2, 4 Tp] v4, floor(3.75 Tp) v3)',
            'fea_todo': 'decode_encp(codes, phones, spec, ge, 1)',
            'speed/fea_todo_speed_0_9': 'decode_encp(codes, phones, spec, ge, 0.9)',
            'noiseK': "the K-th torch.randn of CFM.inference (chunk K), N(0,1) from torch.Generator seeded fnv1a('<case>/noiseK')",
            'stepI_*': 'estimator (DiT) call I of chunk 0: x [1,100,T], cond = prompt_x [1,100,T], text = mu [1,inter2,T] '
                       '(DiT transposes all three), t [1], d [1], v = output [1,T,100]',
            'mel_norm': 'cat of the chunks of cfm.inference(...)[:, :, T_min:] as TTS.using_vocoder_synthesis',
            'mel': 'denorm_spec(mel_norm)', 'audio': f'vocoder(mel) [1, 1, {256 if version == "v3" else 480} frames]',
        },
        'rms': stats,
    }
    pro.write_json(os.path.join(folder, 'meta.json'), meta)
    print(f'{name}: ' + ', '.join(f'{k} {v:.4g}' for k, v in stats.items()) + f' ({time.time() - t0:.1f} s)')
    print('  arrays: ' + ', '.join(f'{k} {list(v.shape)}' for k, v in arrays.items() if not k.startswith('noise')))
    return meta


def run_lora(up, base, hps, inputs, voc, chunk_cfg, steps, folder, name):
    """A LoRA fine-tune of `base`: new values for every trainable non-cfm tensor (seeded 'ft/<key>'), LoRA
    A/B on the DiT attention projections; upstream's load order (base, then the LoRA file, strict=False)
    and peft's merge give the merged model, whose outputs are recorded."""
    ft = copy.deepcopy(base)
    # the fine-tune's own values for the trainable tensors outside cfm
    new = collections.OrderedDict()
    for k, t in ft.state_dict().items():
        if k.startswith(('enc_p.', 'ssl_proj.', 'cfm.', 'quantizer.')):
            continue
        kind, shift = ckf.value_spec(k, list(t.shape))
        new[k] = pro.formula('ft/' + k, list(t.shape), kind, shift).float()
    ft.load_state_dict(new, strict=False)
    peft_keys = collections.OrderedDict()
    targets = lora_targets(ft.cfm)
    for tname in targets:
        lin = ft.cfm.get_submodule(tname)
        a = pro.formula(f'lora/{tname}.A', [LORA_RANK, lin.in_features], 'sym', 3).float()
        b = pro.formula(f'lora/{tname}.B', [lin.out_features, LORA_RANK], 'sym', 4).float()
        peft_keys[f'cfm.base_model.model.{tname}.lora_A.default.weight'] = a
        peft_keys[f'cfm.base_model.model.{tname}.lora_B.default.weight'] = b
    state = trainable_lora_state(ft, peft_keys)
    data = lora_pth(state, hps)
    with open(os.path.join(folder, 'lora.pth'), 'wb') as f:
        f.write(data)
    # upstream's load: the LoRA file's values are loaded from fp16
    merged = copy.deepcopy(base)
    plain = {k: t.half().float() for k, t in state.items() if not k.startswith('cfm.')}
    missing = merged.load_state_dict(plain, strict=False)
    scaling = LORA_RANK / LORA_RANK  # lora_alpha / r
    with torch.no_grad():
        for tname in targets:
            lin = merged.cfm.get_submodule(tname)
            a = state[f'cfm.base_model.model.{tname}.lora_A.default.weight'].half().float()
            b = state[f'cfm.base_model.model.{tname}.lora_B.default.weight'].half().float()
            lin.weight += (b @ a) * scaling  # peft LoraLayer.merge: base_layer.weight.data += get_delta_weight
    cap = synthesize(merged, voc, inputs, chunk_cfg, steps, name + '/lora')
    save_arrays(os.path.join(folder, 'lora'), cap)
    t0 = targets[0]
    pro.write_arrays(os.path.join(folder, 'lora-merged'), collections.OrderedDict(
        [(f'{t}.weight', merged.cfm.get_submodule(t).weight) for t in targets[:4]]))
    return {'rank': LORA_RANK, 'alpha': LORA_RANK, 'targets': len(targets), 'first_target': t0, 'keys': len(state),
            'unexpected_on_load': list(missing.unexpected_keys), 'bytes': len(data),
            'merged_weights': 'lora-merged/arrays.bin: the first four merged target weights (cfm.<name>.weight)',
            'outputs': 'lora/: the same arrays as the case, for base + LoRA merged (noise tagged <case>/lora)'}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--upstream', required=True, help="upstream's GPT_SoVITS source dir")
    ap.add_argument('--real', action='store_true', help='also the real-size case (outputs and weight specs only)')
    ap.add_argument('--only-real', action='store_true')
    ap.add_argument('--versions', default='v4,v3', help='comma-separated: v4, v3')
    args = ap.parse_args()
    t_start = time.time()
    torch.set_grad_enabled(False)
    torch.set_num_threads(2)
    up = import_upstream(args.upstream)
    HParams = ckf.make_hparams_module()
    os.makedirs(OUT, exist_ok=True)
    inputs = make_inputs(up)
    pro.write_arrays(os.path.join(OUT, 'input'), inputs)
    pro.write_json(os.path.join(OUT, 'input', 'meta.json'), {
        'wav32k': "make-v2pro-fixtures.py waveform('A', 1.5, 120, 180, 5) (its input/wav32k_A)",
        'spec': 'module/mel_processing.spectrogram_torch(wav32k, 2048, 32000, 640, 2048, center=False)',
        'mel_v4': f'module/mel_processing.mel_spectrogram_torch(wav32k, **{V4_MEL}) (TTS.py mel_fn_v4)',
        'mel_v4_norm': '(mel_v4 + 12) / 14 * 2 - 1 (TTS.py norm_spec)',
        'mel_filters_v4': 'librosa.filters.mel(sr=32000, n_fft=1280, n_mels=100) (stand-in, Slaney)',
        'wav24k': 'torchaudio.transforms.Resample(32000, 24000)(wav32k) (TTS.py resample for v3)',
        'mel_v3': f'module/mel_processing.mel_spectrogram_torch(wav24k, **{V3_MEL}) (TTS.py mel_fn)',
        'mel_v3_norm': '(mel_v3 + 12) / 14 * 2 - 1', 'mel_filters_v3': 'librosa.filters.mel(sr=24000, n_fft=1024, n_mels=100)',
        'prompt_codes': "raw_ints('prompt_codes', 10) % 1024", 'prompt_phones': "raw_ints('prompt_phones', 8) % 732",
        'codes': "raw_ints('codes', 12) % 1024", 'phones': "raw_ints('phones', 9) % 732",
        'torch': torch.__version__,
    })
    versions = args.versions.split(',')
    for version in versions:
        if not args.only_real:
            run_case(up, args.upstream, f'tiny-{version}', version, True, inputs, HParams)
        if args.real or args.only_real:
            run_case(up, args.upstream, f'real-{version}', version, False, inputs, HParams)
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(OUT) for n in ns)
    print(f'wrote {OUT} ({total / 1e6:.2f} MB) in {time.time() - t_start:.1f} s')


if __name__ == '__main__':
    main()
