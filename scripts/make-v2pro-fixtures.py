#!/usr/bin/python3
"""Writes test/fixtures/v2pro: reference outputs of upstream GPT-SoVITS's own PyTorch modules for
SoVITS v2Pro / v2ProPlus and the ERes2NetV2 speaker-verification (SV) model, to check our ONNX graphs.

    /usr/bin/python3 scripts/make-v2pro-fixtures.py --upstream /path/to/GPT_SoVITS [--real]

Needs Debian's python3-torch (tested with 1.13) and upstream's source tree; nothing is downloaded.
Upstream's modules are imported (training-only imports stubbed) and run in fp32, eval mode, no_grad.

  input/                 shared inputs: formula waveforms A (1.5 s) and B (1.2 s) at 32 kHz, their 16 kHz
                         versions (torchaudio Resample(32000, 16000), as TTS.py _get_ref_spec), reference
                         spectrograms (mel_processing.spectrogram_torch(2048, 32000, 640, 2048, center=False)),
                         fbanks (eres2net/kaldi.py, as sv.py), codes [1,1,6], phones [1,7]
  sv-tiny.ckpt           tiny ERes2NetV2 (m_channels 8) as a plain fp16 state dict, like upstream's SV file
  tiny-v2Pro/,           tiny SynthesizerTrn (sub-modules whose sizes upstream hard-codes replaced by
  tiny-v2ProPlus/        smaller instances of the same classes); s2.pth saved as process_ckpt.savee does
                         (fp16, no enc_q, HParams config, 2-byte header b'05' / b'06')
  real-v2Pro/,           (--real) real-size models (configs/s2v2Pro*.json, sv.py's ERes2NetV2); outputs only,
  real-v2ProPlus/        the weights are regenerated from weights-spec.json
Each case has arrays.bin/arrays.json (sv, ge, intermediates, audio of decode() for one and two references),
weights-spec.json (per tensor: shape, kind, shift) and meta.json (sizes, replacements, versions, rms).

Weights are not random: every float tensor is make-checkpoint-fixtures.py's make_tensor formula seeded by its
state-dict key (exact in fp16), except by module type: BatchNorm weight and running_var kind 'one', BatchNorm
bias and running_mean ('sym', 3), num_batches_tracked int64 0 ('int64-zero'), the codebook's `inited` 1
('const-one'). The model runs with these fp16-exact values held in fp32.
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
OUT = os.path.join(ROOT, 'test', 'fixtures', 'v2pro')
sys.path.insert(0, HERE)
ckf = importlib.import_module('make-checkpoint-fixtures')  # make_tensor, value_spec, raw_ints, HParams, ...

UPSTREAM_COMMIT = '48b1a01'
SV_TINY = dict(baseWidth=24, scale=4, expansion=4, m_channels=8, embedding_size=8)
SV_REAL = dict(baseWidth=24, scale=4, expansion=4)  # sv.py; m_channels 64, embedding_size 192 by default
SV_TINY_DIM = 8 * 8 * 4 * (80 // 8)  # forward3 width: m_channels * 8 * expansion * (feat_dim / 8) = 2560
SV_REAL_DIM = 64 * 8 * 4 * (80 // 8)  # 20480

TINY_MODEL = dict(inter_channels=16, hidden_channels=16, filter_channels=32, n_heads=2, n_layers=2, kernel_size=3,
                  p_dropout=0.0, resblock='1', resblock_kernel_sizes=[3, 7, 11],
                  resblock_dilation_sizes=[[1, 3, 5]] * 3, upsample_rates=[10, 8, 2, 2, 2], n_layers_q=3,
                  use_spectral_norm=False, gin_channels=48, semantic_frame_rate='25hz', freeze_quantizer=True)
TINY_UP = {'v2Pro': dict(upsample_initial_channel=32, upsample_kernel_sizes=[16, 16, 8, 2, 2]),
           'v2ProPlus': dict(upsample_initial_channel=64, upsample_kernel_sizes=[20, 16, 8, 2, 2])}
TINY_SSL, TINY_MRTE, TINY_STYLE = 32, 32, 16
HEADER = {'v2Pro': b'05', 'v2ProPlus': b'06'}
SR, SR16 = 32000, 16000


# ---- upstream imports --------------------------------------------------------------------------

def rearrange(x, pattern):
    """The three einops patterns upstream's core_vq uses."""
    if pattern in ('b d n -> b n d', 'b n d -> b d n'):
        return x.transpose(1, 2)
    if pattern == '... d -> (...) d':
        return x.reshape(-1, x.shape[-1])
    raise NotImplementedError(pattern)


def import_upstream(src):
    """Upstream's modules with make-checkpoint-fixtures.py's import stubs and a working rearrange
    (the quantizer's decode uses it)."""
    src = os.path.abspath(src)
    ckf.stub_upstream_imports(src, rearrange=rearrange)
    sys.path.insert(0, os.path.join(src, 'eres2net'))  # sv.py's sys.path entry: ERes2NetV2 imports fusion, pooling_layers
    from module import models, modules, mrte_model, quantize, mel_processing
    import ERes2NetV2
    import kaldi
    return types.SimpleNamespace(models=models, modules=modules, mrte=mrte_model, quantize=quantize,
                                 mel=mel_processing, eres2net=ERes2NetV2, kaldi=kaldi)


# ---- deterministic weights ---------------------------------------------------------------------

def formula(name, shape, kind, shift):
    """make_tensor's values with an explicit (kind, shift)."""
    j = ckf.raw_ints(name, int(np.prod(shape)) if shape else 1)
    v = 1 + ((j & 255) - 128) / 1024 if kind == 'one' else (j - 1024) / 1024 * 2.0 ** -shift
    return torch.tensor(v, dtype=torch.float64).reshape(shape)


def fill_weights(model):
    """Loads formula values into every tensor of model's state dict; returns {key: spec}. The kind comes
    from value_spec(key), overridden by module type for BatchNorm, and for the special buffers."""
    bn = {}
    for mname, m in model.named_modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            p = mname + '.' if mname else ''
            bn.update({p + 'weight': ('one', 0), p + 'running_var': ('one', 0), p + 'bias': ('sym', 3),
                       p + 'running_mean': ('sym', 3), p + 'num_batches_tracked': 'int64-zero'})
    state, new, spec = model.state_dict(), collections.OrderedDict(), collections.OrderedDict()
    for k, t in state.items():
        shape = list(t.shape)
        if k.endswith('num_batches_tracked'):
            assert bn.get(k) == 'int64-zero' and t.dtype == torch.int64, k
            new[k], spec[k] = torch.zeros_like(t), {'shape': shape, 'kind': 'int64-zero'}
        elif k.endswith('_codebook.inited'):
            new[k], spec[k] = torch.ones_like(t), {'shape': shape, 'kind': 'const-one'}
        else:
            assert t.dtype == torch.float32, (k, t.dtype)
            kind, shift = bn[k] if k in bn else ckf.value_spec(k, shape)
            v = formula(k, shape, kind, shift)
            assert torch.equal(v.half().double(), v), f'{k} is not fp16-exact'
            new[k], spec[k] = v.float(), {'shape': shape, 'kind': kind, 'shift': shift}
            if k in bn:
                spec[k]['batchnorm'] = True
    model.load_state_dict(new, strict=True)
    return spec


# ---- models ------------------------------------------------------------------------------------

def upstream_config(src, version):
    return json.load(open(os.path.join(src, 'configs', {'v2Pro': 's2v2Pro.json', 'v2ProPlus': 's2v2ProPlus.json'}[version])))


def build_sovits(up, src, version, tiny):
    if tiny:
        model_cfg = dict(TINY_MODEL, **TINY_UP[version])
    else:
        model_cfg = upstream_config(src, version)['model']
    m = up.models.SynthesizerTrn(1025, 32, n_speakers=300, **dict(model_cfg, version=version))
    replaced = collections.OrderedDict()
    if tiny:
        gin, hid = model_cfg['gin_channels'], model_cfg['hidden_channels']
        reps = [
            ('enc_p.ssl_proj', 'nn.Conv1d(32, 16, 1)', lambda: torch.nn.Conv1d(TINY_SSL, hid, 1)),
            ('ssl_proj', 'nn.Conv1d(32, 32, 2, stride=2)', lambda: torch.nn.Conv1d(TINY_SSL, TINY_SSL, 2, stride=2)),
            ('quantizer', 'ResidualVectorQuantizer(dimension=32, n_q=1, bins=1024)',
             lambda: up.quantize.ResidualVectorQuantizer(dimension=TINY_SSL, n_q=1, bins=1024)),
            ('enc_p.mrte', 'MRTE(content_enc_channels=16, hidden_size=32, out_channels=16, n_heads=4)',
             lambda: up.mrte.MRTE(content_enc_channels=hid, hidden_size=TINY_MRTE, out_channels=hid, n_heads=4)),
            ('ref_enc', 'MelStyleEncoder(704, style_hidden=16, style_vector_dim=48)',
             lambda: up.modules.MelStyleEncoder(704, style_hidden=TINY_STYLE, style_vector_dim=gin)),
            ('sv_emb', f'nn.Linear({SV_TINY_DIM}, 48)', lambda: torch.nn.Linear(SV_TINY_DIM, gin)),
            ('ge_to512', 'nn.Linear(48, 32)', lambda: torch.nn.Linear(gin, TINY_MRTE)),
        ]
        for path, desc, make in reps:
            parent = m.get_submodule(path.rsplit('.', 1)[0]) if '.' in path else m
            old = getattr(parent, path.rsplit('.', 1)[-1])
            setattr(parent, path.rsplit('.', 1)[-1], make())  # same slot in _modules: state-dict order kept
            replaced[path] = {'upstream': repr_short(old), 'fixture': desc}
    m.eval()
    return m, model_cfg, replaced


def repr_short(mod):
    if isinstance(mod, (torch.nn.Conv1d, torch.nn.Linear)):
        return repr(mod)
    n = sum(p.numel() for p in mod.parameters()) + sum(b.numel() for b in mod.buffers())
    return f'{type(mod).__name__} (upstream hard-coded size, {n} values)'


def build_sv(up, tiny):
    m = up.eres2net.ERes2NetV2(**(SV_TINY if tiny else SV_REAL))
    m.eval()
    return m


# ---- inputs ------------------------------------------------------------------------------------

def waveform(tag, seconds, f0_start, f0_end, vibrato_hz):
    """Harmonics 1..6 (amplitude 0.7^k, odd ones stronger) of a pitch gliding f0_start -> f0_end with a
    little vibrato, a slow amplitude swell, 20 ms fades, plus formula noise from raw_ints; peak 0.5."""
    n = int(round(seconds * SR))
    t = np.arange(n, dtype=np.float64) / SR
    f0 = f0_start + (f0_end - f0_start) * t / seconds + 3.0 * np.sin(2 * np.pi * vibrato_hz * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum((0.7 ** k) * (1.3 if k % 2 else 1.0) * np.sin(k * phase + 0.37 * k) for k in range(1, 7))
    x *= 0.6 + 0.4 * np.sin(np.pi * t / seconds)
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.02)
    x *= fade
    x += (ckf.raw_ints('wave/' + tag, n) - 1024) / 1024 * 0.01
    x *= 0.5 / np.abs(x).max()
    return torch.from_numpy(x.astype(np.float32))[None]  # [1, n] like torchaudio.load of a mono file


def make_inputs(up):
    import torchaudio
    out = collections.OrderedDict()
    out['codes'] = torch.from_numpy(ckf.raw_ints('codes', 6) % 1024).reshape(1, 1, 6)
    out['phones'] = torch.from_numpy(ckf.raw_ints('phones', 7) % 732).reshape(1, 7)
    info = {}
    for tag, secs, a, b, vib in (('A', 1.5, 120.0, 180.0, 5.0), ('B', 1.2, 230.0, 170.0, 4.0)):
        audio = waveform(tag, secs, a, b, vib)
        # TTS.py _get_ref_spec at 32 kHz: peak <= 1 so no rescale; spectrogram; then resample to 16 kHz
        spec = up.mel.spectrogram_torch(audio, 2048, SR, 640, 2048, center=False)
        wav16 = torchaudio.transforms.Resample(SR, SR16)(audio)
        # sv.py compute_embedding3: fbank of each batch row wav0.unsqueeze(0)
        fbank = up.kaldi.fbank(wav16[0].unsqueeze(0), num_mel_bins=80, sample_frequency=16000, dither=0)
        out[f'wav32k_{tag}'], out[f'wav16k_{tag}'] = audio, wav16
        out[f'spec_{tag}'], out[f'fbank_{tag}'] = spec, fbank
        info[tag] = {'seconds': secs, 'f0_glide_hz': [a, b], 'vibrato_hz': vib, 'samples_32k': audio.shape[1],
                     'samples_16k': wav16.shape[1], 'spec_frames': spec.shape[2], 'fbank_frames': fbank.shape[0]}
        print(f'input {tag}: {audio.shape[1]} samples at 32 kHz, {wav16.shape[1]} at 16 kHz, '
              f'spec {list(spec.shape)}, fbank {list(fbank.shape)} ({fbank.shape[0]} frames)')
    return out, info


# ---- forward passes ----------------------------------------------------------------------------

def run_sv(sv_model, fbank):
    with torch.no_grad():
        return sv_model.forward3(fbank[None].clone())  # as sv.py: torch.stack([fbank]) -> [1, frames, 80]


def run_decode(m, codes, phones, refer, sv_emb):
    """Calls upstream's decode unchanged, capturing its intermediates by wrapping sub-module forwards:
    per-reference ge (get_ge's last step is self.prelu), enc_p's inputs/outputs, flow output, dec input."""
    cap = {'ge_each': []}
    hook = m.prelu.register_forward_hook(lambda mod, i, o: cap['ge_each'].append(o.detach().clone()))
    f_encp, f_flow, f_dec = m.enc_p.forward, m.flow.forward, m.dec.forward

    def enc_p(quantized, y_lengths, text, text_lengths, ge, speed=1, **kw):
        r = f_encp(quantized, y_lengths, text, text_lengths, ge, speed, **kw)
        cap.update(quantized=quantized.clone(), ge512=ge.clone(), m_p=r[1].clone(), logs_p=r[2].clone(),
                   y_mask=r[3].clone())
        return r

    def flow(x, x_mask, g=None, reverse=False):
        r = f_flow(x, x_mask, g=g, reverse=reverse)
        cap['z'] = r.clone()
        return r

    def dec(x, g=None):
        cap.update(dec_in=x.clone(), ge=g.clone())
        return f_dec(x, g=g)

    m.enc_p.forward, m.flow.forward, m.dec.forward = enc_p, flow, dec
    try:
        audio = m.decode(codes, phones, refer, noise_scale=0, speed=1, sv_emb=sv_emb)
    finally:
        hook.remove()
        del m.enc_p.forward, m.flow.forward, m.dec.forward
    cap['audio'] = audio
    return cap


def manual_ge(m, refer, sv):
    """models.py decode's get_ge, step by step (refer_lengths is the full width, so the mask is all ones)."""
    with torch.no_grad():
        mask = torch.ones(1, 1, refer.shape[2])
        ge = m.ref_enc(refer[:, :704] * mask, mask)
        return m.prelu(ge + m.sv_emb(sv).unsqueeze(-1))


def rms(t):
    return float(t.double().pow(2).mean().sqrt())


# ---- files -------------------------------------------------------------------------------------

def write_arrays(folder, arrays):
    os.makedirs(folder, exist_ok=True)
    index, blobs, off = collections.OrderedDict(), [], 0
    for name, t in arrays.items():
        a = t.detach().cpu().numpy()
        if a.dtype == np.int64:
            a, dt = a.astype('<i8'), 'int64'
        else:
            a, dt = a.astype('<f4'), 'float32'
        b = np.ascontiguousarray(a).tobytes()
        index[name] = {'dtype': dt, 'shape': list(a.shape), 'offset': off, 'bytes': len(b)}
        blobs.append(b)
        off += len(b)
    with open(os.path.join(folder, 'arrays.bin'), 'wb') as f:
        f.write(b''.join(blobs))
    lines = [f' {json.dumps(k)}: {json.dumps(v, separators=(",", ":"))}' for k, v in index.items()]
    with open(os.path.join(folder, 'arrays.json'), 'w') as f:
        f.write('{\n' + ',\n'.join(lines) + '\n}\n')


def write_json(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1)
        f.write('\n')


def write_weights_spec(path, spec):
    about = ("key 's2/<k>' or 'sv/<k>': tensor <k> of the SoVITS state dict (enc_q dropped, as upstream saves it) or "
             "of the SV state dict, in state-dict order. Values, seeded by <k> without the prefix: "
             "j = lowbias32(fnv1a(<k>) ^ (i*0x9E3779B1 mod 2^32)) & 2047; kind 'one': 1 + ((j & 255) - 128)/1024; "
             "kind 'sym': (j - 1024)/1024 * 2^-shift; 'int64-zero': int64 zeros; 'const-one': ones (float32). "
             "batchnorm: true where the kind was chosen by module type (BatchNorm) instead of value_spec.")
    lines = [f' {json.dumps(k)}: {json.dumps(v, separators=(",", ":"))}' for k, v in spec.items()]
    with open(path, 'w') as f:
        f.write('{"about": ' + json.dumps(about) + ',\n"tensors": {\n' + ',\n'.join(lines) + '\n}}\n')


def s2_hparams(HParams, src, version, model_cfg):
    """An upstream-like s2 config: configs/s2v2Pro*.json with the model section used and model.version."""
    cfg = upstream_config(src, version)
    cfg['model'] = dict(model_cfg, version=version)
    cfg['data']['exp_dir'] = 'logs/fixture'
    cfg.update(s2_ckpt_dir='logs/fixture', content_module='cnhubert', save_weight_dir=f'SoVITS_weights_{version}',
               name='fixture')
    return HParams(**cfg)


def savee_bytes(m, hps, version, info='8epoch_16iteration'):
    """process_ckpt.savee + my_save2: fp16 weights without enc_q, config, info; header replaced."""
    opt = collections.OrderedDict()
    opt['weight'] = {}
    for k, t in m.state_dict().items():
        if 'enc_q' in k:
            continue
        opt['weight'][k] = t.half()
    opt['config'] = hps
    opt['info'] = info
    bio = io.BytesIO()
    torch.save(opt, bio)
    return HEADER[version] + bio.getvalue()[2:]


def sv_ckpt_bytes(sv_model):
    bio = io.BytesIO()
    torch.save(copy.deepcopy(sv_model).half().state_dict(), bio)
    return bio.getvalue()


def counts(m, skip_enc_q=False):
    keep = lambda k: not (skip_enc_q and k.startswith('enc_q.'))
    return {'parameters': sum(p.numel() for k, p in m.named_parameters() if keep(k)),
            'state_tensors': sum(1 for k in m.state_dict() if keep(k)),
            'state_values': sum(t.numel() for k, t in m.state_dict().items() if keep(k))}


# ---- cases -------------------------------------------------------------------------------------

def run_case(up, src, name, version, tiny, sv_model, sv_spec, inputs, input_info, HParams):
    t0 = time.time()
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)  # decode draws randn_like (times noise_scale 0); fixed anyway
    m, model_cfg, replaced = build_sovits(up, src, version, tiny)
    s2_spec = fill_weights(m)
    hps = s2_hparams(HParams, src, version, model_cfg)

    codes, phones = inputs['codes'], inputs['phones']
    refA, refB = inputs['spec_A'], inputs['spec_B']
    svA, svB = run_sv(sv_model, inputs['fbank_A']), run_sv(sv_model, inputs['fbank_B'])
    one = run_decode(m, codes, phones, refA, svA)
    multi = run_decode(m, codes, phones, [refA, refB], [svA, svB])

    # consistency with upstream's get_ge steps
    geA, geB = manual_ge(m, refA, svA), manual_ge(m, refB, svB)
    assert torch.equal(one['ge'], one['ge_each'][0]) and torch.allclose(one['ge'], geA, atol=1e-6, rtol=1e-5)
    assert torch.allclose(multi['ge_each'][0], geA, atol=1e-6, rtol=1e-5)
    assert torch.allclose(multi['ge_each'][1], geB, atol=1e-6, rtol=1e-5)
    assert torch.equal(multi['ge'], torch.stack(multi['ge_each'], 0).mean(0))

    arrays = collections.OrderedDict()
    arrays['sv_A'], arrays['sv_B'] = svA, svB
    arrays['ge_A'], arrays['ge_B'] = one['ge'], multi['ge_each'][1]
    arrays['ge512_A'] = one['ge512']
    arrays['quantized'] = one['quantized']
    arrays['m_p'], arrays['logs_p'], arrays['y_mask'] = one['m_p'], one['logs_p'], one['y_mask']
    arrays['z'], arrays['dec_in'] = one['z'], one['dec_in']
    arrays['audio'] = one['audio']
    arrays['ge_multi'], arrays['ge512_multi'] = multi['ge'], multi['ge512']
    arrays['m_p_multi'], arrays['z_multi'] = multi['m_p'], multi['z']
    arrays['audio_multi'] = multi['audio']
    for k, t in arrays.items():
        assert torch.isfinite(t).all(), f'{name}: {k} not finite'
    write_arrays(folder, arrays)

    files = {}
    if not tiny:  # the tiny cases carry their weights in s2.pth and ../sv-tiny.ckpt
        spec = collections.OrderedDict()
        spec.update(('s2/' + k, v) for k, v in s2_spec.items() if not k.startswith('enc_q.'))
        spec.update(('sv/' + k, v) for k, v in sv_spec.items())
        write_weights_spec(os.path.join(folder, 'weights-spec.json'), spec)
    if tiny:
        data = savee_bytes(m, hps, version)
        with open(os.path.join(folder, 's2.pth'), 'wb') as f:
            f.write(data)
        files['s2.pth'] = len(data)
        sv_file = '../sv-tiny.ckpt'
    else:
        files['upstream_fp16_s2_pth_bytes'] = len(savee_bytes(m, hps, version))
        files['upstream_fp16_sv_ckpt_bytes'] = len(sv_ckpt_bytes(sv_model))
        sv_file = None
    stats = {k: rms(arrays[k]) for k in ('sv_A', 'sv_B', 'ge_A', 'ge_B', 'ge_multi', 'audio', 'audio_multi')}
    stats.update({k + '_absmax': float(arrays[k].abs().max()) for k in ('audio', 'audio_multi')})
    stats['audio_fraction_abs_over_0.99'] = float((arrays['audio'].abs() > 0.99).double().mean())
    meta = {
        'case': name, 'version': version, 'size': 'tiny' if tiny else 'real',
        'header_bytes': HEADER[version].decode(),
        'upstream': {'commit': UPSTREAM_COMMIT, 'files': ['module/models.py', 'module/mrte_model.py',
                                                          'module/modules.py', 'module/mel_processing.py',
                                                          'eres2net/ERes2NetV2.py', 'eres2net/kaldi.py',
                                                          'sv.py', 'process_ckpt.py', 'TTS_infer_pack/TTS.py']},
        'torch': torch.__version__, 'torchaudio': importlib.import_module('torchaudio').__version__,
        'numpy': np.__version__,
        'sovits': {'constructor': 'SynthesizerTrn(spec_channels=1025, segment_size=32, n_speakers=300, '
                                  '**model, version=version)', 'model': model_cfg,
                   'source': 'tiny (this script)' if tiny else f'configs/{"s2v2Pro" if version == "v2Pro" else "s2v2ProPlus"}.json',
                   'replaced': replaced,
                   'sizes': {'ssl_dim': TINY_SSL if tiny else 768, 'mrte_hidden': TINY_MRTE if tiny else 512,
                             'style_hidden': TINY_STYLE if tiny else 128, 'sv_dim': SV_TINY_DIM if tiny else SV_REAL_DIM,
                             'ge512_dim': TINY_MRTE if tiny else 512, 'ref_bins': 704, 'text_vocab': 732,
                             'codebook': 1024},
                   'counts_without_enc_q': counts(m, skip_enc_q=True), 'counts_all': counts(m)},
        'sv': {'constructor': f'ERes2NetV2({", ".join(f"{k}={v}" for k, v in (SV_TINY if tiny else SV_REAL).items())})',
               'forward': 'forward3(fbank[None]) -> fuse_out34.flatten(1, 2).mean(-1)', 'dim': SV_TINY_DIM if tiny else SV_REAL_DIM,
               'checkpoint': sv_file, 'counts': counts(sv_model)},
        'checkpoint': {'s2.pth': 'process_ckpt.savee/my_save2: {weight: fp16 without enc_q, config: utils.HParams, '
                                 f"info}}, torch.save, first two bytes b'{HEADER[version].decode()}'"} if tiny else None,
        'file_bytes': files,
        'inputs': '../input (arrays codes, phones, spec_A, spec_B, fbank_A, fbank_B)',
        'calls': {
            'sv_X': 'sv_model.forward3(fbank_X[None])',
            'audio': 'decode(codes, phones, spec_A, noise_scale=0, speed=1, sv_emb=sv_A) = dec(dec_in, g=ge_A), [1, 1, T]',
            'audio_multi': 'decode(codes, phones, [spec_A, spec_B], noise_scale=0, speed=1, sv_emb=[sv_A, sv_B])',
            'ge_X': "get_ge(spec_X, sv_X) = prelu(ref_enc(spec_X[:, :704]) + sv_emb(sv_X)[..., None]), [1, gin, 1]",
            'ge512_X': 'ge_to512(ge.transpose(2, 1)).transpose(2, 1): the ge given to enc_p (MRTE)',
            'ge_multi': 'mean over references of get_ge (torch.stack(ges, 0).mean(0))',
            'quantized': 'quantizer.decode(codes) repeated x2 in time (nearest, 25 Hz)',
            'm_p/logs_p/y_mask': 'enc_p outputs (z_p = m_p since noise_scale 0)',
            'z': 'flow(z_p, y_mask, g=ge, reverse=True)', 'dec_in': 'z * y_mask',
            '*_multi': 'the same values in the two-reference call',
        },
        'fbank_frames': {k: v['fbank_frames'] for k, v in input_info.items()},
        'rms': stats,
    }
    write_json(os.path.join(folder, 'meta.json'), meta)
    print(f'{name}: ' + ', '.join(f'{k} {v:.4g}' for k, v in stats.items()) + f' ({time.time() - t0:.1f} s)')
    print('  arrays: ' + ', '.join(f'{k} {list(v.shape)}' for k, v in arrays.items()))
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--upstream', required=True, help="upstream's GPT_SoVITS source dir")
    ap.add_argument('--real', action='store_true', help='also the real-size cases (outputs and weight specs only)')
    args = ap.parse_args()
    t_start = time.time()
    torch.set_grad_enabled(False)
    up = import_upstream(args.upstream)
    HParams = ckf.make_hparams_module()
    os.makedirs(OUT, exist_ok=True)

    inputs, input_info = make_inputs(up)
    write_arrays(os.path.join(OUT, 'input'), inputs)
    write_json(os.path.join(OUT, 'input', 'meta.json'), {
        'waveforms': 'wav32k_X = 0.5 * peak-normalised sum_k 0.7^k (1.3 if k odd) sin(k*phase + 0.37k), k = 1..6, '
                     'phase = 2 pi cumsum(f0)/32000, f0 = linear glide + 3 Hz vibrato, swell 0.6 + 0.4 sin(pi t/T), '
                     "20 ms fades, noise (raw_ints('wave/X', n) - 1024)/1024 * 0.01; float64 then float32",
        'wav16k_X': 'torchaudio.transforms.Resample(32000, 16000)(wav32k_X)  (TTS.py _get_ref_spec for v2Pro)',
        'spec_X': 'module/mel_processing.spectrogram_torch(wav32k_X, 2048, 32000, 640, 2048, center=False)',
        'fbank_X': 'eres2net/kaldi.fbank(wav16k_X[0][None], num_mel_bins=80, sample_frequency=16000, dither=0) (sv.py)',
        'codes': "raw_ints('codes', 6) % 1024, [1, 1, 6]", 'phones': "raw_ints('phones', 7) % 732, [1, 7]",
        'info': input_info, 'torchaudio': importlib.import_module('torchaudio').__version__, 'torch': torch.__version__,
    })

    sv_tiny = build_sv(up, tiny=True)
    sv_tiny_spec = fill_weights(sv_tiny)
    with open(os.path.join(OUT, 'sv-tiny.ckpt'), 'wb') as f:
        f.write(sv_ckpt_bytes(sv_tiny))
    for version in ('v2Pro', 'v2ProPlus'):
        run_case(up, args.upstream, 'tiny-' + version, version, True, sv_tiny, sv_tiny_spec, inputs, input_info, HParams)
    if args.real:
        t0 = time.time()
        sv_real = build_sv(up, tiny=False)
        sv_real_spec = fill_weights(sv_real)
        for version in ('v2Pro', 'v2ProPlus'):
            run_case(up, args.upstream, 'real-' + version, version, False, sv_real, sv_real_spec, inputs, input_info,
                     HParams)
        print(f'real cases: {time.time() - t0:.1f} s')
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(OUT) for n in ns)
    print(f'wrote {OUT} ({total / 1e6:.2f} MB) in {time.time() - t_start:.1f} s')


if __name__ == '__main__':
    main()
