// `npm run bench:gpu:kit`: everything `npm run bench:gpu` needs, for a machine with a GPU and no
// network, browser, npm or repository: dist-kit/mynah-gpu-kit.tar (at most 60 MiB) holding run.sh
// and payload.tar.xz, which holds
//   node               this Node binary (process.execPath, stripped when `strip` exists)
//   dawn.node          Dawn's Node binding from the npm package `webgpu` (WebGPU over Vulkan)
//   lib/libvulkan.so.1 the Vulkan loader, used only when the machine has none (it needs the
//                      GPU driver's ICD all the same)
//   bench.mjs          test/bench/gpu.ts and the engine, bundled (no node_modules)
//   generate.mjs       models/generate.ts bundled: the random real-size pack is generated there
//   ort/               onnxruntime-web's WebGPU build and its WASM pair
//   reference.wav      the 7.1 s LibriVox clip the voice is cloned from
// The random pack (820 MB) is generated on the GPU machine, not shipped.
//   tsx scripts/gpu-kit.ts [--out DIR] [--test]   (--test: unpack into a temp dir and run run.sh
//                                                  there with only the kit's files on PATH)
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { REFERENCE_WAV } from '../test/helpers/reference-speech';
import { defaultDawnPath } from '../test/bench/node-webgpu';

const MAX_BYTES = 60 * 2 ** 20;
const args = process.argv.slice(2);
const outDir = resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : 'dist-kit');
const root = resolve(import.meta.dirname, '..');
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const log = (s: string) => console.log(`gpu-kit: ${s}`);

if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the kit targets Linux x64 GPU machines; this is ${process.platform}-${process.arch} (its node and dawn.node would not run there)`);

const stage = mkdtempSync(join(tmpdir(), 'mynah-gpu-kit-'));
const payload = join(stage, 'payload');
const kitDir = join(stage, 'mynah-gpu-kit');
mkdirSync(join(payload, 'ort'), { recursive: true });
mkdirSync(join(payload, 'lib'));
mkdirSync(kitDir);
try {
  // Node itself; its symbol table is not needed to run.
  const node = join(payload, 'node');
  const stripped = spawnSync('strip', ['-o', node, process.execPath]);
  if (stripped.status !== 0) copyFileSync(process.execPath, node);
  chmodSync(node, 0o755);
  log(`node ${process.version} (${mib(statSync(node).size)}${stripped.status === 0 ? ', stripped' : ''})`);

  copyFileSync(defaultDawnPath(), join(payload, 'dawn.node'));
  const ortDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  for (const f of ['ort.webgpu.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm']) copyFileSync(join(ortDir, f), join(payload, 'ort', f));
  copyFileSync(REFERENCE_WAV, join(payload, 'reference.wav'));
  // The Vulkan loader of this machine (Debian's libvulkan1), for GPU machines without one.
  const loader = ['/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1'].find(existsSync);
  if (loader) copyFileSync(realpathSync(loader), join(payload, 'lib', 'libvulkan.so.1'));
  else log('no libvulkan.so.1 here: the kit will rely on the GPU machine having one');

  // The bench and the pack generator as single files. CommonJS dependencies (protobufjs) call
  // require(), which an ES module lacks: the banner gives them Node's.
  const banner = { js: "import { createRequire as __kitRequire } from 'node:module'; const require = __kitRequire(import.meta.url);" };
  for (const [entry, out] of [
    ['test/bench/gpu.ts', 'bench.mjs'],
    ['models/generate.ts', 'generate.mjs'],
  ]) {
    await build({ entryPoints: [join(root, entry)], outfile: join(payload, out), bundle: true, platform: 'node', format: 'esm', target: 'node20', banner, logLevel: 'warning', legalComments: 'none', minify: true, external: ['onnxruntime-web'] });
  }
  writeFileSync(join(payload, 'VERSION'), `mynah ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()}, node ${process.version}, webgpu (dawn.node) ${JSON.parse(readFileSync(createRequire(import.meta.url).resolve('webgpu/package.json'), 'utf8')).version}\n`);

  log('compressing (xz -9)');
  execFileSync('tar', ['-C', payload, '-cf', join(stage, 'payload.tar'), '.']);
  execFileSync('xz', ['-9', '-T0', join(stage, 'payload.tar')]);
  copyFileSync(join(stage, 'payload.tar.xz'), join(kitDir, 'payload.tar.xz'));
  copyFileSync(join(root, 'scripts', 'gpu-kit-run.sh'), join(kitDir, 'run.sh'));
  chmodSync(join(kitDir, 'run.sh'), 0o755);
  mkdirSync(outDir, { recursive: true });
  const tar = join(outDir, 'mynah-gpu-kit.tar');
  execFileSync('tar', ['-C', stage, '-cf', tar, 'mynah-gpu-kit']);
  const size = statSync(tar).size;
  if (size > MAX_BYTES) {
    rmSync(tar);
    throw new Error(`the kit is ${mib(size)}, over its ${mib(MAX_BYTES)} limit`);
  }
  log(`wrote ${tar} (${mib(size)} of at most ${mib(MAX_BYTES)})`);

  if (args.includes('--test')) {
    // As on the GPU machine: a fresh directory, PATH without node or node_modules.
    const there = mkdtempSync(join(tmpdir(), 'mynah-gpu-kit-test-'));
    execFileSync('tar', ['-C', there, '-xf', tar]);
    // PATH: a folder of links to the shell tools run.sh uses, and nothing else (no node, no npm).
    const bin = join(there, 'bin');
    mkdirSync(bin);
    for (const tool of ['bash', 'sh', 'env', 'tar', 'xz', 'grep', 'tee', 'ls', 'tr', 'cat', 'mkdir', 'rm', 'touch', 'dirname', 'head', 'printf', 'ldconfig', 'nvidia-smi']) {
      const at = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => join(d, tool)).find(existsSync);
      if (at) symlinkSync(at, join(bin, tool));
    }
    const env = { PATH: bin, HOME: there, ...(process.env.DAWN_FLAGS ? { DAWN_FLAGS: process.env.DAWN_FLAGS } : {}) };
    log(`testing in ${there}: run.sh ${args.slice(args.indexOf('--test') + 1).join(' ')}`);
    const r = spawnSync(join(there, 'mynah-gpu-kit', 'run.sh'), args.slice(args.indexOf('--test') + 1), { env, stdio: 'inherit', cwd: there });
    log(`run.sh exited with ${r.status} (3 = no WebGPU adapter); files in ${there}`);
    process.exitCode = r.status ?? 1;
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
