// The personal pronunciation list in IndexedDB (idb-keyval), shared by the page and the engine's worker:
// the worker reads it at the start of every synthesis, so an edit applies to the next one.
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { PronunciationList, resolvePronunciation, type PronunciationEntry } from '../text/lexicon';

let store: UseStore | undefined;
export function pronunciationStore(): UseStore {
  store ??= createStore('mynah-pronunciations', 'list');
  return store;
}
const KEY = 'entries';

export async function listPronunciations(s = pronunciationStore()): Promise<PronunciationEntry[]> {
  const list = ((await get(KEY, s)) as PronunciationEntry[] | undefined) ?? [];
  // Anything that no longer validates is left out rather than failing every synthesis.
  return list.filter((e) => {
    try {
      resolvePronunciation(e);
      return true;
    } catch {
      return false;
    }
  });
}

/** Validates and saves an entry (replacing one for the same word and language); returns the list. */
export async function savePronunciation(e: PronunciationEntry, s = pronunciationStore()): Promise<PronunciationEntry[]> {
  const entry = resolvePronunciation(e).entry;
  const key = (x: PronunciationEntry) => `${x.lang}:${x.lang === 'en' ? x.word.toLowerCase() : x.word}`;
  const list = (await listPronunciations(s)).filter((x) => key(x) !== key(entry));
  list.push(entry);
  new PronunciationList(list); // size limit
  await set(KEY, list, s);
  return list;
}

export async function deletePronunciation(word: string, lang: PronunciationEntry['lang'], s = pronunciationStore()): Promise<PronunciationEntry[]> {
  const list = (await listPronunciations(s)).filter((x) => !(x.lang === lang && (lang === 'en' ? x.word.toLowerCase() === word.toLowerCase() : x.word === word)));
  await set(KEY, list, s);
  return list;
}

/** Merges entries (from an imported voice file): valid ones are added, existing words keep their entry. */
export async function mergePronunciations(entries: unknown, s = pronunciationStore()): Promise<number> {
  if (!Array.isArray(entries)) return 0;
  const list = await listPronunciations(s);
  const have = new Set(list.map((x) => `${x.lang}:${x.lang === 'en' ? x.word.toLowerCase() : x.word}`));
  let added = 0;
  for (const e of entries.slice(0, 5000)) {
    try {
      const r = resolvePronunciation(e as PronunciationEntry).entry;
      const k = `${r.lang}:${r.lang === 'en' ? r.word.toLowerCase() : r.word}`;
      if (have.has(k)) continue;
      have.add(k);
      list.push(r);
      added++;
    } catch {
      /* invalid entries in a file are skipped */
    }
  }
  if (added) await set(KEY, list, s);
  return added;
}

/** The stored list, validated; an empty list where IndexedDB is unavailable. */
export async function currentPronunciations(): Promise<PronunciationList> {
  try {
    if (typeof indexedDB === 'undefined') return new PronunciationList();
    return new PronunciationList(await listPronunciations());
  } catch {
    return new PronunciationList();
  }
}
