// `npm run convert` (scripts/convert.ts) on the PyTorch-written fixtures: the folder it writes is the
// pack the browser's conversion code makes from the same files (same graphs, byte for byte), it
// prints progress, and failures exit non-zero with the same typed errors, writing nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/checkpoint/bytes';
import { convertToPack } from '../../src/pack/convert';
import { sha256Hex, validateManifest, type PackManifest } from '../../src/pack/manifest';
import { syntheticBertVocab } from '../../src/pack/synthetic-vocab';

const FIX = resolve('test/fixtures/checkpoints');
const TSX = resolve('node_modules/.bin/tsx');
let dir: string;
let vocab: string;

function convert(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, ['scripts/convert.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const base = () => ['--gpt', join(FIX, 's1-v2.ckpt'), '--sovits', join(FIX, 's2-v2.pth'), '--hubert', join(FIX, 'hubert/pytorch_model.bin'), '--hubert-config', join(FIX, 'hubert/config.json')];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mynah-convert-cli-'));
  vocab = join(dir, 'vocab.txt');
  writeFileSync(vocab, syntheticBertVocab(600).join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run convert', () => {
  it('writes the same pack as convertToPack, with progress on the terminal', async () => {
    const out = join(dir, 'pack');
    const roberta = ['--roberta', join(FIX, 'roberta/pytorch_model.bin'), '--roberta-config', join(FIX, 'roberta/config.json'), '--vocab', vocab];
    const r = convert(...base(), ...roberta, '--out', out, '--id', 'cli-pack', '--name', 'Fixture voice');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/reading 1\/4 {2}s2-v2\.pth/);
    expect(r.stdout).toMatch(/reading 3\/4 {2}hubert\/pytorch_model\.bin/);
    expect(r.stdout).toMatch(/building 8\/8 {2}bert\.onnx \(bert\)/);
    expect(r.stdout).toMatch(/pack cli-pack \(GPT-SoVITS v2, 32 kHz\) written to /);

    const manifest: PackManifest = validateManifest(JSON.parse(readFileSync(join(out, 'pack.json'), 'utf8')));
    expect(manifest).toMatchObject({ id: 'cli-pack', name: 'Fixture voice', version: 'v2' });
    expect(manifest.weights).toMatch(/^converted from s1-v2\.ckpt, s2-v2\.pth, hubert\/pytorch_model\.bin, roberta\/pytorch_model\.bin$/);
    for (const f of manifest.files) {
      const bytes = new Uint8Array(readFileSync(join(out, f.name)));
      expect(bytes.byteLength, f.name).toBe(f.bytes);
      expect(await sha256Hex(bytes), f.name).toBe(f.sha256);
    }
    // The browser's path (in-memory sources here) builds byte-identical files from the same inputs
    // (the pack's name is written into each graph, so it is the same here).
    const load = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));
    const inPage = await convertToPack(
      {
        gpt: bytesSource(load('s1-v2.ckpt'), 's1-v2.ckpt'),
        sovits: bytesSource(load('s2-v2.pth'), 's2-v2.pth'),
        hubert: bytesSource(load('hubert/pytorch_model.bin'), 'pytorch_model.bin'),
        hubertConfig: new Blob([load('hubert/config.json')]),
        roberta: bytesSource(load('roberta/pytorch_model.bin'), 'pytorch_model.bin'),
        robertaConfig: new Blob([load('roberta/config.json')]),
        robertaVocab: new File([readFileSync(vocab)], 'vocab.txt'),
      },
      { id: 'cli-pack', name: 'Fixture voice' },
    );
    expect(manifest.files.map((f) => [f.name, f.sha256])).toEqual(inPage.manifest.files.map((f) => [f.name, f.sha256]));
    // Nothing half-written is left behind.
    expect(readFileSync(join(out, 'pack.json'), 'utf8')).toMatch(/\n$/);
    expect(spawnSync('ls', ['-A', out], { encoding: 'utf8' }).stdout).not.toMatch(/\.tmp/);
  });

  it('fails with the typed error code and message, and writes nothing', () => {
    const out = join(dir, 'refused');
    const wrongSlot = convert('--gpt', join(FIX, 's2-v2.pth'), ...base().slice(2), '--out', out);
    expect(wrongSlot.status).toBe(1);
    expect(wrongSlot.stderr).toMatch(/^error CHECKPOINT_WRONG_SLOT: s2-v2\.pth is a SoVITS .* Put it in the right slot\.\n$/);
    const evil = convert(...base().slice(0, 2), '--sovits', join(FIX, 'malicious-subprocess.pth'), ...base().slice(4), '--out', out);
    expect(evil.status).toBe(1);
    expect(evil.stderr).toMatch(/^error UNSAFE_PICKLE: /);
    const noVocab = convert(...base(), '--roberta', join(FIX, 'roberta/pytorch_model.bin'), '--roberta-config', join(FIX, 'roberta/config.json'), '--out', out);
    expect(noVocab.status).toBe(1);
    expect(noVocab.stderr).toMatch(/^error VOCAB_MISSING: /);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a wrong command line with exit 2 and the usage', () => {
    const noOut = convert(...base());
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toMatch(/^error: --out is required/);
    expect(noOut.stderr).toMatch(/usage: npm run convert -- /);
    const missing = convert(...base().slice(0, 4), '--hubert', join(dir, 'no-such.bin'), '--out', join(dir, 'x'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^error: --hubert .*no-such\.bin: no such file/);
    expect(convert(...base(), '--out', join(dir, 'x'), '--bogus', '1').status).toBe(2);
    expect(convert(...base(), '--out', join(dir, 'x'), '--id', '../escape').status).toBe(2);
  });
});
