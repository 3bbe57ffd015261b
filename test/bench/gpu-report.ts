// The GPU bench's result (test/bench/gpu.ts, the kit's run.sh) and its markdown: the kit writes it
// beside its JSON, and `npm run bench -- --only gpu --gpu-result FILE` puts it into BENCHMARKS.md.
import type { SynthesisReport } from '../../src/engine/synthesize';
import type { PrecisionComparison } from './gpu-quality';

export interface GpuPrecisionRun {
  /** The precision asked for. */
  requested: 'fp32' | 'fp16';
  /** Set when the run did not happen (e.g. fp16 on an adapter without shader-f16). */
  skipped?: string;
  /** Set when the run failed part-way. */
  error?: string;
  precision?: { t2s: string; sovits: string; reason: string };
  backendReason?: string;
  probeMaxDiff?: number;
  initMs?: number;
  loadMs?: number;
  cloneMs?: number;
  warmup?: SynthesisReport;
  runs?: SynthesisReport[];
}

export interface GpuResult {
  started: string;
  machine: { cpu: string; cores: number; memGiB: number; node: string; ort: string; load: number[] };
  gpu: { adapter: string; backend: string; features: string[]; isNull: boolean; flags: string[] };
  pack: { id: string; weightBytes: number };
  tokens: number;
  refSec: number;
  runs: GpuPrecisionRun[];
  quality?: PrecisionComparison[];
  qualityError?: string;
}

/** The targets of issue 18 on a machine with a real GPU. */
export const GPU_TARGETS = { tokPerSec: 300, rtf: 0.05, firstAudioSec: 0.3 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const table = (header: string[], body: string[][]) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((l) => `| ${l.join(' | ')} |`)].join('\n');

export function gpuFigures(runs: SynthesisReport[]) {
  const seg = (r: SynthesisReport) => r.segments[0].t2s;
  return {
    tokPerSec: median(runs.map((r) => (seg(r).steps - 1) / ((r.t2sMs - seg(r).prefillMs) / 1000))),
    prefillMs: median(runs.map((r) => seg(r).prefillMs)),
    firstAudioMs: median(runs.map((r) => r.firstChunkMs)),
    rtf: median(runs.map((r) => r.totalMs / 1000 / r.audioSec)),
    t2sRtf: median(runs.map((r) => r.t2sMs / 1000 / r.audioSec)),
    sovitsRtf: median(runs.map((r) => r.sovitsMs / 1000 / r.audioSec)),
    readsPerToken: median(runs.map((r) => seg(r).readbacks / Math.max(1, seg(r).steps - 1))),
    prefillReads: median(runs.map((r) => seg(r).prefillReadbacks)),
    tokens: runs[0].segments[0].tokens,
    audioSec: runs[0].audioSec,
  };
}

/** The "On a GPU machine" section: measured figures, or why there are none. */
export function gpuMarkdown(r: GpuResult): string {
  const T = GPU_TARGETS;
  const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
  const done = r.runs.filter((x) => x.runs?.length);
  const rows = done.map((x) => {
    const f = gpuFigures(x.runs!);
    return [
      `${x.precision!.t2s}${x.precision!.sovits === x.precision!.t2s ? '' : `/${x.precision!.sovits}`}`,
      f2(x.loadMs! / 1000),
      f2(x.cloneMs! / 1000),
      f2(x.warmup!.totalMs / 1000),
      f1(f.tokPerSec),
      f.prefillMs.toFixed(0),
      f3(f.firstAudioMs / 1000),
      f3(f.rtf),
      f3(f.t2sRtf),
      f3(f.sovitsRtf),
      f2(f.readsPerToken),
      String(f.prefillReads),
    ];
  });
  const targets = done.map((x) => {
    const f = gpuFigures(x.runs!);
    return [x.requested, `${f1(f.tokPerSec)} tok/s (≥ ${T.tokPerSec}) ${met(f.tokPerSec >= T.tokPerSec)}`, `${f3(f.rtf)} (≤ ${T.rtf}) ${met(f.rtf <= T.rtf)}`, `${f3(f.firstAudioMs / 1000)} s (≤ ${T.firstAudioSec} s) ${met(f.firstAudioMs / 1000 <= T.firstAudioSec)}`];
  });
  const skipped = r.runs.filter((x) => x.skipped || x.error).map((x) => `${x.requested}: ${x.skipped ?? `failed (${x.error})`}`);
  const q = r.quality?.length
    ? table(
        ['comparison', 'T2S prefill logits', `T2S decode logits (${r.quality[0].decode.steps} teacher-forced steps)`, `SoVITS waveform (${r.quality[0].sovits.samples} samples)`],
        r.quality.map((c) => [
          c.label,
          `max \\|Δ\\| ${c.prefill.maxAbs.toExponential(2)}, mean \\|Δ\\| ${c.prefill.meanAbs.toExponential(2)} (mean \\|logit\\| ${f2(c.prefill.meanAbsRef)}), KL ${c.prefill.klMean.toExponential(1)}`,
          `max \\|Δ\\| ${c.decode.maxAbs.toExponential(2)}, mean \\|Δ\\| ${c.decode.meanAbs.toExponential(2)}, KL ${c.decode.klMean.toExponential(1)}, same arg-max ${(c.decode.top1Agree * 100).toFixed(0)}%`,
          `max \\|Δ\\| ${c.sovits.maxAbs.toExponential(2)}, mean \\|Δ\\| ${c.sovits.meanAbs.toExponential(2)}, SNR ${f1(c.sovits.snrDb)} dB`,
        ]),
      )
    : `No precision comparison${r.qualityError ? `: ${r.qualityError}` : ''}.`;
  return `Adapter: **${r.gpu.adapter}** (Dawn ${r.gpu.backend} backend${r.gpu.flags.length ? `, flags ${r.gpu.flags.join(' ')}` : ''}; shader-f16 ${r.gpu.features.includes('shader-f16') ? 'yes' : 'no'}).${
    r.gpu.isNull ? '\n**Dawn null backend: it computes nothing, so these figures only show that the kit runs; they are not GPU timings.**' : ''
  }
Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGiB} GiB; Node ${r.machine.node}; onnxruntime-web ${r.machine.ort} (WebGPU); load average ${r.machine.load.map(f2).join(' / ')} at the start; ${r.started.slice(0, 16).replace('T', ' ')} UTC.
Pack ${r.pack.id} (${(r.pack.weightBytes / 2 ** 20).toFixed(1)} MiB of fp32 graphs, no BERT), voice cloned from a ${f1(r.refSec)} s clip, ${r.tokens} semantic tokens per run (${f2(r.tokens / 25)} s of audio), one warm-up run then ${done[0]?.runs?.length ?? 0} measured (medians).

${rows.length ? table(['precision', 'load s', 'clone s', 'warm-up run s', 'T2S decode tok/s', 'T2S prefill ms', 'first audio s', 'RTF', 'T2S RTF', 'SoVITS RTF', 'GPU→CPU reads per token', 'prefill reads'], rows) : 'No run completed.'}
${skipped.length ? `\nNot run: ${skipped.join('; ')}.\n` : ''}
${targets.length ? table(['precision', `T2S decode ≥ ${T.tokPerSec} tok/s`, `RTF ≤ ${T.rtf}`, `first audio ≤ ${T.firstAudioSec} s`], targets) : ''}

${q}
`;
}
