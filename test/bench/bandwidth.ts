// Memory read bandwidth of this machine, for the T2S decode ceiling: bandwidth.c built with the
// system C compiler when there is one (1 and 2 threads, best of 5 passes over 1 GiB), else a
// JavaScript loop over a Float64Array (slower than the memory: a lower bound).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Bandwidth {
  /** Best read bandwidth, GB/s (1e9 bytes). */
  gbps: number;
  perThreads: Record<number, number>;
  method: string;
}

function compiled(threads: number[]): Bandwidth | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'mynah-bw-'));
  try {
    const exe = join(dir, 'bandwidth');
    for (const cc of ['cc', 'gcc', 'clang']) {
      try {
        execFileSync(cc, ['-O3', '-march=native', '-pthread', join(import.meta.dirname, 'bandwidth.c'), '-o', exe], { stdio: 'ignore' });
        const perThreads: Record<number, number> = {};
        for (const t of threads) perThreads[t] = Number(execFileSync(exe, ['1024', String(t)], { encoding: 'utf8' }).trim());
        return { gbps: Math.max(...Object.values(perThreads)), perThreads, method: `test/bench/bandwidth.c (${cc} -O3 -march=native), 1 GiB read, best of 5` };
      } catch {
        // try the next compiler
      }
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function javascript(): Bandwidth {
  const a = new Float64Array(2 ** 27); // 1 GiB
  for (let i = 0; i < a.length; i++) a[i] = i & 7;
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < a.length; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    best = Math.min(best, performance.now() - t0);
    sink += s0 + s1 + s2 + s3;
  }
  const gbps = a.byteLength / (best / 1000) / 1e9;
  return { gbps: sink === -1 ? 0 : gbps, perThreads: { 1: gbps }, method: 'JavaScript Float64Array sum, 1 GiB, best of 3 (no C compiler found; a lower bound)' };
}

export function measureBandwidth(threads = [1, 2]): Bandwidth {
  return compiled(threads) ?? javascript();
}
