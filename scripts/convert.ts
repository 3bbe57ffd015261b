// Converts upstream GPT-SoVITS checkpoints into a Mynah pack folder from the command line, with the
// same code the browser runs (convertToPack): the same checks, the same typed errors, the same
// graphs. For people who host Mynah: ship the folder as the site's default pack with
// MYNAH_DEFAULT_PACK=DIR npm run build (README, "Model packs").
//
//   npm run convert -- --gpt s1.ckpt --sovits s2G.pth --hubert chinese-hubert-base/pytorch_model.bin \
//     [--hubert-config …/config.json] [--roberta …/pytorch_model.bin --roberta-config …/config.json \
//     --vocab …/vocab.txt] --out DIR [--id ID] [--name NAME]
//
// Exit status: 0 when the pack is written; 1 with "error CODE: message" when conversion fails
// (CHECKPOINT_WRONG_SLOT, UNSAFE_PICKLE, MODELS_MISMATCH, ...); 2 for a wrong command line.
import { closeSync, fstatSync, mkdirSync, openAsBlob, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ByteSource } from '../src/checkpoint/bytes';
import { MynahError } from '../src/errors';
import { convertToPack, type ConvertFiles } from '../src/pack/convert';
import { validateManifest } from '../src/pack/manifest';

/**
 * One row per file the converter takes: the flag, the ConvertFiles slot it fills, and how it is
 * opened ('checkpoint': read piece by piece, tensor by tensor; 'text': a small file read whole).
 */
const SLOTS: { flag: string; slot: keyof ConvertFiles; open: 'checkpoint' | 'text'; required?: true; help: string }[] = [
  { flag: 'gpt', slot: 'gpt', open: 'checkpoint', required: true, help: 'GPT (s1) .ckpt' },
  { flag: 'sovits', slot: 'sovits', open: 'checkpoint', required: true, help: 'SoVITS (s2G) .pth' },
  { flag: 'hubert', slot: 'hubert', open: 'checkpoint', required: true, help: 'chinese-hubert-base pytorch_model.bin or model.safetensors' },
  { flag: 'hubert-config', slot: 'hubertConfig', open: 'text', help: "the HuBERT's config.json (optional for the standard model)" },
  { flag: 'roberta', slot: 'roberta', open: 'checkpoint', help: 'chinese-roberta-wwm-ext-large weights (optional: Chinese BERT features)' },
  { flag: 'roberta-config', slot: 'robertaConfig', open: 'text', help: "the RoBERTa's config.json" },
  { flag: 'vocab', slot: 'robertaVocab', open: 'text', help: "the RoBERTa's vocab.txt or tokenizer.json (required with --roberta)" },
  { flag: 'sv', slot: 'sv', open: 'checkpoint', help: 'speaker-verification model pretrained_eres2netv2w24s4ep4.ckpt (v2Pro/v2ProPlus)' },
];

function usage(): string {
  const rows = SLOTS.map((s) => `  --${s.flag.padEnd(15)} ${s.help}${s.required ? ' (required)' : ''}`);
  return [
    'usage: npm run convert -- --gpt FILE --sovits FILE --hubert FILE [options] --out DIR',
    ...rows,
    `  --${'out'.padEnd(15)} folder to write pack.json and the graphs into (created if missing)`,
    `  --${'id'.padEnd(15)} pack id (letters, digits, . _ -; default: from the SoVITS file name)`,
    `  --${'name'.padEnd(15)} pack name shown in the Studio`,
  ].join('\n');
}

/** Fails the command line: exit 2 with the reason and the usage. */
function wrongUsage(why: string): never {
  process.stderr.write(`error: ${why}\n${usage()}\n`);
  process.exit(2);
}

/** Hugging Face's generic file names say little alone: "chinese-hubert-base/pytorch_model.bin". */
function displayName(path: string): string {
  const name = basename(path);
  return /^(pytorch_model\.bin|model\.safetensors|config\.json|vocab\.txt|tokenizer\.json)$/.test(name) && basename(dirname(resolve(path)))
    ? `${basename(dirname(resolve(path)))}/${name}`
    : name;
}

/** A file on disk read piece by piece, synchronously too (like FileReaderSync in the worker). */
function fileSource(path: string): ByteSource & { close(): void } {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  const name = displayName(path);
  const readSyncAt = (offset: number, length: number): Uint8Array => {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new MynahError('CHECKPOINT_TRUNCATED', `${name} ends early (needs bytes ${offset}..${offset + length}, has ${size}). The file is incomplete: copy or download it again.`);
    }
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) throw new MynahError('CHECKPOINT_TRUNCATED', `${name} ended while being read. The file changed or is incomplete.`);
      done += n;
    }
    return out;
  };
  return {
    name,
    size,
    read: async (offset, length) => readSyncAt(offset, length),
    readSync: readSyncAt,
    close: () => closeSync(fd),
  };
}

const options = {
  out: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(SLOTS.map((s) => [s.flag, { type: 'string' }])),
} as const;

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({ args: process.argv.slice(2), options, strict: true, allowPositionals: false }));
} catch (e) {
  wrongUsage((e as Error).message);
}
if (values.help) {
  process.stdout.write(`${usage()}\n`);
  process.exit(0);
}
for (const s of SLOTS) if (s.required && !values[s.flag]) wrongUsage(`--${s.flag} is required (${s.help})`);
if (typeof values.out !== 'string' || !values.out) wrongUsage('--out is required (the folder to write the pack into)');
if (values.id !== undefined && !/^\w[\w.-]*$/.test(String(values.id))) wrongUsage(`--id ${JSON.stringify(values.id)}: use letters, digits, '.', '_' and '-' (it names the pack's folder on the site)`);

const files: Partial<Record<keyof ConvertFiles, Blob | ByteSource>> = {};
const opened: { close(): void }[] = [];
for (const s of SLOTS) {
  const path = values[s.flag];
  if (typeof path !== 'string') continue;
  try {
    if (s.open === 'checkpoint') {
      const src = fileSource(path);
      opened.push(src);
      files[s.slot] = src;
    } else {
      files[s.slot] = new File([await openAsBlob(path)], displayName(path));
    }
  } catch (e) {
    wrongUsage(`--${s.flag} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

const out = resolve(values.out);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`;
try {
  const pack = await convertToPack(files as ConvertFiles, {
    id: values.id as string | undefined,
    name: values.name as string | undefined,
    onProgress: (p) => console.log(`${elapsed()}  ${p.phase} ${p.done + 1}/${p.total}  ${p.name}${p.role ? ` (${p.role})` : ''}`),
  });
  const manifest = validateManifest(pack.manifest);
  // Each file lands whole (written beside, then renamed) and pack.json last, so a server or a build
  // reading the folder meanwhile never sees a manifest whose files are not all there.
  mkdirSync(out, { recursive: true });
  const write = (name: string, data: Uint8Array | string) => {
    const tmp = join(out, `.${name}.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, data);
      renameSync(tmp, join(out, name));
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  };
  for (const f of manifest.files) write(f.name, pack.files.get(f.name)!);
  write('pack.json', `${JSON.stringify(manifest, null, 2)}\n`);

  const mb = (n: number) => (n / 1e6).toFixed(1).padStart(9);
  for (const f of manifest.files) console.log(`  ${f.name.padEnd(22)} ${mb(f.bytes)} MB  ${f.role}`);
  for (const w of pack.report.warnings) console.log(`warning: ${w}`);
  const ignored = Object.entries(pack.report.ignoredKeys).filter(([, n]) => n > 0);
  if (ignored.length) console.log(`not needed at inference (left out): ${ignored.map(([net, n]) => `${net} ${n} key${n === 1 ? '' : 's'}`).join(', ')}`);
  console.log(`pack ${manifest.id} (GPT-SoVITS ${manifest.version}, ${manifest.sampleRate / 1000} kHz) written to ${out} in ${elapsed().trim()}`);
} catch (e) {
  const code = e instanceof MynahError ? e.code : (e as NodeJS.ErrnoException).code;
  process.stderr.write(`error ${code ?? 'CONVERT_FAILED'}: ${(e as Error).message}\n`);
  process.exitCode = 1;
} finally {
  for (const f of opened) f.close();
}
