// Mynah Studio walked as a person would, in Chromium on the built app: first visit (engine and the
// built-in pack load by themselves), record from the (fake) microphone with the keyboard, see the
// chosen window, clone, speak with streaming and per-fragment progress, download the WAV, stop a
// long job, manage the library (rename, export, import, delete), hit an error, convert checkpoint
// files into a stored pack, convert a dropped v2Pro set (after being told it needs the
// speaker-verification file), clone a voice from three recordings with it (files and another
// take from the mic), speak, add a fourth recording in the library, reload (the voice is still there), and finally work offline. Every
// step goes through what is on screen: roles, labels and visible text. Screenshots go to
// test-results/ (not committed).
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav';
import { SV_CHECKPOINT_NAME } from '../../src/pack/versions';
import { CONSENT_STATEMENT } from '../../src/safety/consent';
import { AUDIO_FIXTURES, REFERENCE_TEXT, REFERENCE_WAV } from '../helpers/reference-speech';
import { dropFiles, openApp, type App } from './app';
import type { Page } from './browser';

const SHOTS = resolve('test-results');
const FIXTURES = resolve('test/fixtures/checkpoints');
const V2PRO = resolve('test/fixtures/v2pro');
// More LibriVox clips of the same reader: extra recordings for a multi-reference voice (0880 has
// 3.0 s of speech, too little to be used).
const LIBRIVOX = join(AUDIO_FIXTURES, 'librivox');
const clip = (n: string) => join(LIBRIVOX, `sense_and_sensibility_01_austen_64kb-${n}.wav`);
let app: App;
let page: Page;
let url: string;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `studio-${name}.png`), fullPage: true });
const packLoaded = () => page.getByText(/Model pack “.*” is loaded\./).waitFor({ timeout: 120_000 });

/** Types a number into an advanced setting and leaves the field, as a person would. */
async function setField(label: string, value: string): Promise<void> {
  const f = page.getByLabel(label, { exact: true });
  await f.fill(value);
  await f.press('Tab');
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  app = await openApp({ fakeMic: REFERENCE_WAV, viewport: { width: 1280, height: 900 } });
  page = app.page;
  url = `${app.server.url}?backend=wasm`; // WASM: SwiftShader's WebGPU is much slower here
});

afterAll(async () => {
  await app?.close();
});

describe('Mynah Studio, first visit to offline', () => {
  it('starts the engine and loads the built-in pack by itself', async () => {
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Mynah', level: 1 }).isVisible()).resolves.toBe(true);
    await page.getByText(/WASM · \d threads?/).waitFor({ timeout: 60_000 });
    await packLoaded();
    // The demo pack says plainly that it will not sound like speech.
    await expect(page.getByText(/random weights/).first().isVisible()).resolves.toBe(true);
    // Size and file count as the shipped manifest has them.
    const manifest = JSON.parse(readFileSync(resolve(process.env.MYNAH_DIST ?? 'dist', 'packs/tiny/pack.json'), 'utf8')) as { files: { bytes: number }[] };
    const mb = (manifest.files.reduce((n, f) => n + f.bytes, 0) / 2 ** 20).toFixed(1);
    await expect(page.getByText(`${mb} MB in ${manifest.files.length} files`).isVisible()).resolves.toBe(true);
    // Nothing to speak with yet, and the page says what to do.
    await expect(page.getByRole('button', { name: 'Speak', exact: true }).isDisabled()).resolves.toBe(true);
    await expect(page.getByText('Clone a voice (step 2) or pick one from your voices (step 3).').isVisible()).resolves.toBe(true);
    await shot('1-first-visit');
  });

  it('records from the microphone with the keyboard, shows the chosen window, clones', async () => {
    const record = page.getByRole('button', { name: 'Record', exact: true });
    await record.focus();
    // Keyboard focus is visible.
    expect(await record.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    await page.keyboard.press('Enter');
    await page.getByRole('meter', { name: 'Input level' }).waitFor();
    await page.getByText(/Recording · ([89]|\d\d)\.\d s of 30 s/).waitFor({ timeout: 60_000 });
    const level = Number(await page.getByRole('meter', { name: 'Input level' }).getAttribute('aria-valuenow'));
    await shot('2-recording');
    await page.getByRole('button', { name: 'Stop recording' }).click();

    const wave = page.getByRole('img', { name: /^Waveform of/ });
    await wave.waitFor();
    const described = (await wave.getAttribute('aria-label'))!;
    console.log(`recording: ${described}; a level reading of ${level} dB`);
    expect(described).toMatch(/Waveform of (8|9|\d\d)\.\d seconds of audio; the stretch from \d+\.\d s to \d+\.\d s is used for cloning/);
    const [from, to] = /from (\d+\.\d) s to (\d+\.\d) s/.exec(described)!.slice(1).map(Number);
    expect(to - from).toBeGreaterThanOrEqual(2.9);
    expect(to - from).toBeLessThanOrEqual(10.1);
    await expect(page.getByText(/Used for cloning: \d+\.\d s from/).isVisible()).resolves.toBe(true);

    const clone = page.getByRole('button', { name: 'Clone voice' });
    await page.getByLabel('What the reference says, word for word').fill(REFERENCE_TEXT);
    await page.getByText('Detected: English').first().waitFor();
    await page.getByLabel('Language of the reference').selectOption('en');
    await page.getByLabel('Name for the voice').fill('Studio voice');
    // No consent, no clone.
    await expect(clone.isDisabled()).resolves.toBe(true);
    await page.getByLabel(CONSENT_STATEMENT).check();
    await expect(clone.isEnabled()).resolves.toBe(true);
    await shot('3-reference');
    await clone.click();
    await page.getByText('Voice “Studio voice” is ready and saved in your library.').waitFor({ timeout: 120_000 });
    await expect(page.getByRole('radio', { name: 'Studio voice' }).isChecked()).resolves.toBe(true);
    await expect(page.getByText(/pack tiny/).first().isVisible()).resolves.toBe(true);
  });

  it('speaks with streaming progress per fragment, downloads the WAV, stops a long job', async () => {
    await page.getByLabel('Text to speak').fill('Hello there. This is Mynah speaking!');
    await page.getByText(/Detected: English\./).waitFor();
    await page.getByText('Advanced settings').click();
    await setField('Longest fragment (tokens)', '40');
    await setField('Seed', '11');
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Stop', exact: true }).isEnabled()).resolves.toBe(true);
    const fragments = page.getByRole('list', { name: 'Progress by fragment' }).getByRole('listitem');
    await page.getByText(/Done: \d+\.\d s of audio\./).waitFor({ timeout: 120_000 });
    expect(await fragments.count()).toBe(2); // cut5 splits at the full stop
    for (let i = 0; i < 2; i++) {
      await expect(fragments.nth(i).getByText(/done · \d+\.\d s/).isVisible()).resolves.toBe(true);
      expect(await fragments.nth(i).getByRole('progressbar').evaluate((p) => (p as HTMLProgressElement).value)).toBe(1);
    }
    const status = (await page.getByText(/Done: \d+\.\d s of audio\./).textContent())!;
    await expect(page.getByText(/of audio in .* seed 11/).isVisible()).resolves.toBe(true);
    await shot('4-spoken');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download WAV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^Studio-voice-.*\.wav$/);
    const file = join(SHOTS, 'studio-speech.wav');
    await download.saveAs(file);
    const wav = parseWav(readFileSync(file));
    const seconds = wav.channels[0].length / wav.sampleRate;
    console.log(`download: ${wav.sampleRate} Hz, ${seconds.toFixed(3)} s; page said "${status}"`);
    expect(wav.sampleRate).toBe(32000);
    expect(wav.channels.length).toBe(1);
    expect(seconds.toFixed(1)).toBe(/Done: (\d+\.\d) s/.exec(status)![1]);
    expect(wav.channels[0].some((x) => x !== 0)).toBe(true);

    // A long job, stopped once audio is flowing.
    await setField('Longest fragment (tokens)', '1500');
    await page.getByLabel('Text to speak').fill('This sentence could go on for a whole minute with random weights.');
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.getByText(/[1-9]\d*\.\d s of audio made so far|0\.[1-9] s of audio made so far/).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByText(/Stopped\. \d+\.\d s of audio was made\./).waitFor({ timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Speak', exact: true }).isEnabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Download WAV' }).isEnabled()).resolves.toBe(true);
    await setField('Longest fragment (tokens)', '40');
  });

  it('renames, exports, imports and deletes voices', async () => {
    await page.getByRole('button', { name: 'Rename Studio voice' }).click();
    const name = page.getByLabel('New name for Studio voice');
    await name.fill('Reader voice');
    await name.press('Enter');
    await page.getByRole('radio', { name: 'Reader voice', exact: true }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export Reader voice' }).click()]);
    expect(download.suggestedFilename()).toBe('Reader-voice.mynah-voice.json');
    const file = join(SHOTS, 'studio-voice.mynah-voice.json');
    await download.saveAs(file);
    const exported = JSON.parse(readFileSync(file, 'utf8'));
    expect(exported).toMatchObject({ kind: 'mynah-voice', name: 'Reader voice', packId: 'tiny' });

    // The same file again: a copy with a new id, never an overwrite.
    await page.getByLabel('Import a voice file…').setInputFiles(file);
    await page.getByRole('radio', { name: 'Reader voice (imported)' }).waitFor();
    await shot('5-library');
    await page.getByRole('button', { name: 'Delete Reader voice (imported)' }).click();
    await page.getByRole('button', { name: 'Really delete Reader voice (imported)' }).click();
    await page.getByText('Deleted “Reader voice (imported)”.').waitFor();
    expect(await page.getByRole('radio', { name: /Reader voice/ }).count()).toBe(1);
  });

  it('shows a clear error when a pack URL is wrong, and keeps the loaded pack', async () => {
    await page.getByLabel('From a URL').check();
    await page.getByLabel('Address of a pack.json').fill(`${app.server.url}no-such-pack/pack.json`);
    await page.getByRole('button', { name: 'Download and load' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText(/answered 404/).waitFor({ timeout: 30_000 });
    await expect(alert.getByText('PACK_FETCH_FAILED').isVisible()).resolves.toBe(true);
    await shot('6-error');
    await alert.getByRole('button', { name: 'Dismiss this message' }).click();
    await expect(alert.getByText(/answered 404/).count()).resolves.toBe(0);
    await expect(page.getByText('Tiny random pack (tests)').first().isVisible()).resolves.toBe(true);
  });

  it('converts dropped GPT-SoVITS files into a stored pack, with progress', async () => {
    await page.getByLabel('Convert my GPT-SoVITS files').check();
    await page.getByLabel('GPT model (.ckpt)').setInputFiles(join(FIXTURES, 's1-v2.ckpt'));
    await page.getByLabel('SoVITS model (.pth)').setInputFiles(join(FIXTURES, 's2-v2.pth'));
    await page.getByLabel('HuBERT weights').setInputFiles(join(FIXTURES, 'hubert/pytorch_model.bin'));
    await page.getByLabel('HuBERT config.json (optional)').setInputFiles(join(FIXTURES, 'hubert/config.json'));
    await page.getByRole('button', { name: 'Convert and load' }).click();
    await page.getByRole('progressbar', { name: 'Model pack progress' }).waitFor();
    await page.getByText(/^(Reading|Building) /).first().waitFor();
    await page.getByText('Model pack “s2-v2.pth + s1-v2.ckpt” is loaded.').waitFor({ timeout: 180_000 });
    // The voice belongs to the other pack, and the page says so.
    await expect(page.getByText(/pack tiny \(not the loaded pack\)/).isVisible()).resolves.toBe(true);
    await page.getByText(/was made with pack “tiny”, but “s2-v2” is loaded/).waitFor();
    await shot('7-converted');
    await page.getByLabel(/Stored in this browser \(1\)/).check();
    await expect(page.getByRole('button', { name: 'Load pack s2-v2.pth + s1-v2.ckpt' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Built-in').check();
    await page.getByRole('button', { name: 'Load the built-in pack' }).click();
    await page.getByText('Model pack “Tiny random pack (tests)” is loaded.').waitFor({ timeout: 120_000 });
  });

  it('converts a dropped v2Pro set (asking for the speaker-verification file), clones from three recordings (file, mic), speaks, adds a fourth', async () => {
    await page.getByLabel('Convert my GPT-SoVITS files').check();
    await expect(page.getByText(`Only for v2Pro and v2ProPlus models: ${SV_CHECKPOINT_NAME}`).isVisible()).resolves.toBe(true);
    const drop = 'Drop the files here, or choose each one below.';
    await dropFiles(page, drop, [
      [join(V2PRO, 'tiny-v2Pro/s2.pth'), 's2.pth'],
      [join(FIXTURES, 's1-v2.ckpt'), 's1-v2.ckpt'],
      [join(FIXTURES, 'hubert/pytorch_model.bin'), 'pytorch_model.bin'],
      [join(FIXTURES, 'hubert/config.json'), 'config.json'],
    ]);
    await page.getByText('Files assigned; check the slots below.').waitFor();
    const convert = page.getByRole('button', { name: 'Convert and load' });
    await convert.click();
    // A v2Pro SoVITS without the sv file: the banner says which file to add, the slot is marked.
    const alert = page.getByRole('alert');
    await alert.getByText('SV_MODEL_MISSING').waitFor({ timeout: 60_000 });
    const missing = alert.locator('[data-code="SV_MODEL_MISSING"]');
    await expect(missing.getByText(`s2.pth is a GPT-SoVITS v2Pro model: it also needs the speaker-verification model ${SV_CHECKPOINT_NAME}`).isVisible()).resolves.toBe(true);
    await page.getByText(`Needed: this SoVITS model is v2Pro or v2ProPlus. Add ${SV_CHECKPOINT_NAME} here.`).waitFor();
    await expect(page.getByLabel('Speaker-verification model (v2Pro / v2ProPlus only)').getAttribute('aria-invalid')).resolves.toBe('true');
    // Focus went to the slot that needs the file.
    expect(await page.evaluate(() => document.querySelector('mynah-studio')!.shadowRoot!.querySelector('mynah-pack-panel')!.shadowRoot!.activeElement?.id)).toBe('slot-sv');
    await page.getByLabel(/Stored in this browser \(1\)/).waitFor();
    await shot('7b-sv-missing');
    await missing.getByRole('button', { name: 'Dismiss this message' }).click();

    // The sv checkpoint dropped on its own goes to its slot, not the GPT's.
    await dropFiles(page, drop, [[join(V2PRO, 'sv-tiny.ckpt'), 'sv-tiny.ckpt']]);
    await page.getByText(/Chosen: sv-tiny\.ckpt \(1\.8 MB\)/).waitFor();
    await expect(page.getByText(/Chosen: s1-v2\.ckpt/).isVisible()).resolves.toBe(true);
    await convert.click();
    await page.getByText(/^(Reading|Building) /).first().waitFor({ timeout: 60_000 });
    await page.getByText('Model pack “s2.pth + s1-v2.ckpt” is loaded.').waitFor({ timeout: 180_000 });
    await expect(page.getByText('GPT-SoVITS v2Pro, 32 kHz').isVisible()).resolves.toBe(true);
    await page.getByLabel(/Stored in this browser \(2\)/).waitFor();

    // Clone from a file plus another recording of the same reader.
    await page.getByLabel('Reference audio file').setInputFiles(REFERENCE_WAV);
    await page.getByText(/Used for cloning: \d+\.\d s from/).waitFor();
    const extra = page.getByLabel('Add recordings (audio files)');
    await extra.setInputFiles([clip('0930'), clip('0880')]);
    await page.getByText(/sense_and_sensibility_01_austen_64kb-0880\.wav was not added: Only 3\.0 s of speech/).waitFor();
    const extras = page.getByRole('list', { name: 'More recordings' }).getByRole('listitem');
    expect(await extras.count()).toBe(1);
    await expect(extras.first().getByText(/sense_and_sensibility_01_austen_64kb-0930\.wav · \d\.\d s used/).isVisible()).resolves.toBe(true);
    await page.getByText('This voice will combine 2 recordings (of at most 5).').waitFor();
    // Another take from the microphone, with the keyboard: focus moves to Stop while it records.
    await page.getByRole('button', { name: 'Record another take' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(/Recording · [4-9]\.\d s of 30 s/).waitFor({ timeout: 60_000 });
    await page.keyboard.press('Enter');
    await expect.poll(() => extras.count(), { timeout: 30_000 }).toBe(2);
    await expect(extras.nth(1).getByText(/^Microphone take 1 · \d\.\d s used$/).isVisible()).resolves.toBe(true);
    await page.getByText('This voice will combine 3 recordings (of at most 5).').waitFor();
    await page.getByLabel('What the reference says, word for word').fill(REFERENCE_TEXT);
    await page.getByLabel('Language of the reference').selectOption('en');
    await page.getByLabel('Name for the voice').fill('Pro voice');
    await page.getByLabel(CONSENT_STATEMENT).check();
    await shot('7c-recordings');
    await page.getByRole('button', { name: 'Clone voice' }).click();
    await page.getByText('Voice “Pro voice” is ready and saved in your library. It combines 3 recordings.').waitFor({ timeout: 120_000 });
    await expect(page.getByRole('radio', { name: 'Pro voice' }).isChecked()).resolves.toBe(true);
    const proVoice = page.getByRole('listitem').filter({ has: page.getByRole('radio', { name: 'Pro voice' }) });
    await expect(proVoice.getByText(/3 recordings combined \(\d+\.\d s main \+ \d\.\d s, \d\.\d s\)/).isVisible()).resolves.toBe(true);
    await expect(proVoice.getByText('pack s2', { exact: true }).isVisible()).resolves.toBe(true);

    await page.getByLabel('Text to speak').fill('Hello from a v2Pro voice.');
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.getByText(/Done: \d+\.\d s of audio\./).waitFor({ timeout: 120_000 });

    // A fourth recording, added to the saved voice from the library, with the keyboard.
    const add = page.getByRole('button', { name: 'Add recordings to Pro voice' });
    await add.focus();
    await page.keyboard.press('Enter');
    const files = page.getByLabel('Recordings of the same speaker to add to Pro voice');
    await expect.poll(() => files.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await files.setInputFiles(clip('0890'));
    const confirm = page.getByRole('form', { name: 'Add recordings to Pro voice' }).getByRole('button', { name: 'Add', exact: true });
    await expect(confirm.isDisabled()).resolves.toBe(true); // not before the same-speaker confirmation
    await page.getByLabel('These recordings are of the same person, and the consent recorded for this voice covers them.').check();
    await confirm.click();
    await page.getByText('Added 1 recording to “Pro voice”: it now combines 4 of 5.').waitFor({ timeout: 60_000 });
    await expect(proVoice.getByText(/4 recordings combined \(\d+\.\d s main \+ \d\.\d s, \d\.\d s, \d\.\d s\)/).isVisible()).resolves.toBe(true);
    await shot('7d-pro-voice');

    // Back to the built-in pack and the earlier voice for the steps after this one.
    await page.getByLabel('Built-in').check();
    await page.getByRole('button', { name: 'Load the built-in pack' }).click();
    await page.getByText('Model pack “Tiny random pack (tests)” is loaded.').waitFor({ timeout: 120_000 });
    await page.getByRole('radio', { name: 'Reader voice', exact: true }).check();
    expect(app.seen.fatal).toEqual([]);
  });

  it('still has the voice after a reload, and fits a phone screen', async () => {
    await page.reload();
    await packLoaded();
    await expect(page.getByRole('radio', { name: 'Reader voice', exact: true }).isChecked()).resolves.toBe(true);
    await expect(page.getByText('Voice: Reader voice').isVisible()).resolves.toBe(true);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await shot('8-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('works offline once loaded: the page, the engine and the pack come from this browser', async () => {
    await page.getByText('Works offline').waitFor({ timeout: 60_000 });
    // The server goes away entirely.
    app.server.server.closeAllConnections();
    await app.server.close();
    await page.reload();
    await packLoaded();
    await page.getByText(/WASM · \d threads?/).waitFor();
    await expect(page.getByRole('radio', { name: 'Reader voice', exact: true }).isChecked()).resolves.toBe(true);
    await page.getByLabel('Text to speak').fill('Offline and still talking.');
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.getByText(/Done: \d+\.\d s of audio\./).waitFor({ timeout: 120_000 });
    await shot('9-offline');
    expect(app.seen.fatal).toEqual([]);
  });
});
