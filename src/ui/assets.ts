// Where Mynah's run-time files (ort/, ja/, packs/) are served from. The app leaves this
// unset (they sit beside its index.html); the library entry sets it to the library's own folder,
// so an embedding page finds them next to mynah.js wherever it is hosted.
let base: string | undefined;

export function setAssetBase(url: string | URL | undefined): void {
  base = url === undefined ? undefined : new URL(String(url), document.baseURI).href;
}

/** `path` under `override` or the configured base; undefined means "the client's own default". */
export function assetUrl(path: string, override?: string | null): string | undefined {
  const b = override ? new URL(override.endsWith('/') ? override : `${override}/`, document.baseURI).href : base;
  return b ? new URL(path, b).href : undefined;
}
