// Shared by the bench scripts: packs on disk, child processes that print one JSON result.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SynthesisReport } from '../../src/engine/synthesize';
import type { LoadedPack } from '../../src/pack/fetch';
import { validateManifest, type PackManifest } from '../../src/pack/manifest';

export type PackKind = 'tiny' | 'full' | 'full-v2pro' | 'full-v2proplus' | 'full-v4';

/** Directory and generator arguments of each bench pack. */
const PACKS: Record<PackKind, { dir: string; args: string[] }> = {
  tiny: { dir: 'tiny', args: ['tiny'] },
  full: { dir: 'v2-random', args: ['full'] },
  'full-v2pro': { dir: 'v2pro-random', args: ['full', '--version', 'v2Pro', '--no-bert'] },
  'full-v2proplus': { dir: 'v2proplus-random', args: ['full', '--version', 'v2ProPlus', '--no-bert'] },
  'full-v4': { dir: 'v4-random', args: ['full', '--version', 'v4', '--no-bert'] },
};

export const BENCH_TEXT = 'The quick brown fox jumps over the lazy dog, and then it rests in the warm afternoon sun.';
// Random weights rarely say EOS, so every run decodes the same number of tokens (6 s of audio).
export const BENCH_TOKENS = 150;

/** One engine configuration's figures (test/bench/engine-run.ts). */
export interface EngineRun {
  pack: string;
  kind: PackKind;
  precision: { t2s: string; t2sPrefill?: string; sovits: string; reason: string };
  threads: number;
  /** Bytes of the graph files loaded (fp32 on disk; BERT left out). */
  weightBytes: number;
  baseRssMB: number;
  initRssMB: number;
  loadMs: number;
  loadPeakRssMB: number;
  loadedRssMB: number;
  cloneMs: number;
  /** The clone's split: HuBERT + codes, speaker verification (v2Pro family), reference encoder. */
  cloneTimings?: { codesMs: number; svMs: number; refMs: number; totalMs: number };
  /** Peak RSS once the voice is cloned (HuBERT has run). */
  clonePeakRssMB: number;
  peakRssMB: number;
  warmup: SynthesisReport;
  runs: SynthesisReport[];
}

export function packDir(kind: PackKind): string {
  return join('models', 'packs', PACKS[kind].dir);
}

/** The pack's directory, generating the pack first when it is missing. */
export function ensurePack(kind: PackKind): string {
  const dir = packDir(kind);
  if (!existsSync(join(dir, 'pack.json'))) execFileSync('npx', ['tsx', 'models/generate.ts', ...PACKS[kind].args], { stdio: 'inherit' });
  return dir;
}

export function readManifest(dir: string): PackManifest {
  return validateManifest(JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')));
}

/** The pack without its Chinese BERT (unused for English text), as a pack without one. */
export function withoutBert(m: PackManifest): PackManifest {
  return { ...m, files: m.files.filter((f) => f.role !== 'bert' && f.role !== 'bert-vocab') };
}

/**
 * A streaming pack loader: each file is read from disk when the engine asks for it (LoadedPack.open),
 * and nothing is kept, so the bench holds no copy of the pack. Before each read it runs the garbage
 * collector when Node exposes it (the engine children run with --expose-gc): the previous file's
 * bytes are garbage by then, and a collector that runs late would otherwise count them twice.
 */
export function diskPack(dir: string, manifest: PackManifest): LoadedPack {
  const open = async (name: string): Promise<Uint8Array> => {
    (globalThis as { gc?: () => void }).gc?.();
    const b = readFileSync(join(dir, name));
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };
  return { manifest, files: new Map(), open };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const MiB = 2 ** 20;

const MARK = 'BENCH_RESULT ';

/** Prints a child's result where the parent looks for it. */
export function emit(result: unknown): void {
  process.stdout.write(`\n${MARK}${JSON.stringify(result)}\n`);
}

/** Runs `script args` under tsx in a fresh Node (fresh peak RSS), echoing its log, and returns its result. */
export function child<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      const s = d.toString();
      out += s;
      for (const line of s.split('\n')) if (line && !line.startsWith(MARK)) process.stdout.write(`  ${line}\n`);
    });
    p.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (code !== 0 || !line) reject(new Error(`${script} ${args.join(' ')} exited with ${code}`));
      else resolve(JSON.parse(line.slice(MARK.length)) as T);
    });
  });
}
