// The pack the app, the client and <mynah-speak> load when none is named: packs/<id>/pack.json
// beside the page (or beside mynah.js for the library). The build decides which: vite.config.ts
// defines __MYNAH_DEFAULT_PACK__ from MYNAH_DEFAULT_PACK (a pack folder, e.g. written by
// `npm run convert`), and without it ships the generated tiny pack with random weights.
declare const __MYNAH_DEFAULT_PACK__: string | undefined;

/** Path of the default pack's pack.json, relative to the app's (or library's) folder. */
export const DEFAULT_PACK_PATH: string = typeof __MYNAH_DEFAULT_PACK__ === 'string' ? __MYNAH_DEFAULT_PACK__ : 'packs/tiny/pack.json';
