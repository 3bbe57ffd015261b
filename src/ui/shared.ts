// Styles and small helpers shared by the Studio panels and <mynah-speak>.
import { css } from 'lit';
import { MynahError } from '../errors';

/**
 * Colour tokens. Set on the outermost element's :host; custom properties inherit through shadow
 * roots, so inner panels only read them (and an embedding page can override any of them).
 */
export const tokens = css`
  :host {
    --mynah-fg: #1d1d28;
    --mynah-muted: #55556a;
    --mynah-bg: #ffffff;
    --mynah-surface: #f4f4f9;
    --mynah-border: #c9c9d6;
    --mynah-accent: #3346c8;
    --mynah-accent-fg: #ffffff;
    --mynah-focus: #f0a500;
    --mynah-danger: #a4161a;
    --mynah-danger-bg: #fde7e7;
    --mynah-warn-bg: #fff4d6;
    --mynah-ok: #0b6b3a;
    --mynah-window: rgba(51, 70, 200, 0.16);
    color: var(--mynah-fg);
    font: 1rem/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --mynah-fg: #ececf4;
      --mynah-muted: #a9a9bd;
      --mynah-bg: #16161d;
      --mynah-surface: #23232d;
      --mynah-border: #474757;
      --mynah-accent: #8c9bff;
      --mynah-accent-fg: #10101a;
      --mynah-danger: #ffb4ab;
      --mynah-danger-bg: #4a1515;
      --mynah-warn-bg: #3d3213;
      --mynah-ok: #7fdca4;
      --mynah-window: rgba(140, 155, 255, 0.22);
    }
  }
`;

/** Controls: large enough to hit, a focus ring that is always visible from the keyboard. */
export const controls = css`
  * { box-sizing: border-box; }
  button, .button {
    font: inherit;
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    min-height: 2.5rem;
    padding: 0.4em 1em;
    border-radius: 0.5em;
    border: 1px solid var(--mynah-border);
    background: var(--mynah-surface);
    color: inherit;
    cursor: pointer;
  }
  button.primary { background: var(--mynah-accent); color: var(--mynah-accent-fg); border-color: transparent; font-weight: 600; }
  button.danger { color: var(--mynah-danger); }
  button:disabled { opacity: 0.5; cursor: not-allowed; }
  button.small { min-height: 2rem; padding: 0.2em 0.7em; font-size: 0.9rem; }
  input, select, textarea {
    font: inherit;
    color: inherit;
    background: var(--mynah-bg);
    border: 1px solid var(--mynah-border);
    border-radius: 0.4em;
    padding: 0.4em 0.6em;
    min-height: 2.5rem;
    max-width: 100%;
  }
  input[type='checkbox'], input[type='radio'] { min-height: auto; width: 1.1rem; height: 1.1rem; }
  textarea { width: 100%; resize: vertical; }
  :focus-visible { outline: 3px solid var(--mynah-focus); outline-offset: 2px; }
  label { font-weight: 500; }
  .hint { color: var(--mynah-muted); font-size: 0.9rem; margin: 0.25em 0; }
  .row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
  .field { display: flex; flex-direction: column; gap: 0.25rem; margin: 0.6rem 0; }
  .warn { background: var(--mynah-warn-bg); border-radius: 0.4em; padding: 0.4em 0.7em; margin: 0.5em 0; }
  progress { width: 100%; height: 0.7rem; accent-color: var(--mynah-accent); }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  h2 { font-size: 1.2rem; margin: 0 0 0.5rem; }
  h3 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
`;

/** A panel of the Studio: a card on wide screens, flat on narrow ones. */
export const panel = css`
  :host { display: block; background: var(--mynah-bg); border: 1px solid var(--mynah-border); border-radius: 0.8rem; padding: 1rem 1.2rem; }
  @media (max-width: 36rem) { :host { border-radius: 0; border-left: 0; border-right: 0; padding: 0.8rem; } }
`;

export interface ErrorDetail {
  code: string;
  message: string;
}

/** What a user should read for any thrown value: MynahErrors already say what to do. */
export function errorDetail(e: unknown): ErrorDetail {
  if (e instanceof MynahError) return { code: e.code, message: e.message };
  const err = e as { code?: unknown; message?: unknown; name?: unknown };
  if (err && typeof err.message === 'string') {
    return { code: typeof err.code === 'string' ? err.code : String(err.name ?? 'ERROR'), message: err.message };
  }
  return { code: 'ERROR', message: String(e) };
}

/** Studio panels report failures up to the page's error banner with this event. */
export function reportError(from: HTMLElement, e: unknown): ErrorDetail {
  const detail = errorDetail(e);
  from.dispatchEvent(new CustomEvent<ErrorDetail>('mynah-error', { detail, bubbles: true, composed: true }));
  return detail;
}

export function emit<T>(from: HTMLElement, type: string, detail: T): void {
  from.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatSec(s: number): string {
  return `${s.toFixed(1)} s`;
}

/** Saves bytes as a file through a temporary link (works offline, nothing leaves the device). */
export function saveFile(data: string | Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file name from free text: letters, digits, dashes. */
export function fileSafe(name: string): string {
  return name.trim().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'voice';
}
