// Phone symbol tables and phone -> id mapping (ids equal GPT-SoVITS's cleaned_text_to_sequence).
import { MynahError } from '../errors';
import { SYMBOLS_V1_LIST, SYMBOLS_V2_EXTRA } from './data/symbol-lists';

export type ModelVersion = 'v1' | 'v2';

/** v1 table: 322 symbols. */
export const SYMBOLS_V1: readonly string[] = SYMBOLS_V1_LIST;
/** v2 table: the v1 table unchanged, then `[`, `]`, Korean and Cantonese symbols (732 in all). */
export const SYMBOLS_V2: readonly string[] = [...SYMBOLS_V1_LIST, ...SYMBOLS_V2_EXTRA];

/** Punctuation phones shared by every language (upstream `punctuation`). */
export const PUNCTUATION = ['!', '?', '…', ',', '.', '-'] as const;
export const PUNCTUATION_SET: ReadonlySet<string> = new Set(PUNCTUATION);

const indexOf = (list: readonly string[]) => new Map(list.map((s, i) => [s, i] as const));
const ID_V1 = indexOf(SYMBOLS_V1);
const ID_V2 = indexOf(SYMBOLS_V2);

export function symbolTable(version: ModelVersion): readonly string[] {
  return version === 'v1' ? SYMBOLS_V1 : SYMBOLS_V2;
}

export function hasSymbol(phone: string, version: ModelVersion): boolean {
  return (version === 'v1' ? ID_V1 : ID_V2).has(phone);
}

/** Maps phones to ids; a phone missing from the table is an internal bug (callers replace unknowns with UNK first). */
export function phonesToIds(phones: readonly string[], version: ModelVersion): number[] {
  const table = version === 'v1' ? ID_V1 : ID_V2;
  return phones.map((p) => {
    const id = table.get(p);
    if (id === undefined) throw new MynahError('TEXT_UNKNOWN_PHONE', `Phone "${p}" is not in the ${version} symbol table.`);
    return id;
  });
}

/** Upstream's last cleaning step: every phone the table lacks becomes UNK. */
export function replaceUnknown(phones: readonly string[], version: ModelVersion): string[] {
  return phones.map((p) => (hasSymbol(p, version) ? p : 'UNK'));
}
