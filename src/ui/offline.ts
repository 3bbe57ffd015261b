// Offline support for the app build: registers public/sw.js and, once it controls the page, asks
// it to cache what this first visit fetched before it was in control. Later requests (the engine
// worker, ORT, the pack) go through the service worker and are cached as they are made.

export type OfflineState = 'unsupported' | 'installing' | 'ready' | 'failed';

let registration: Promise<OfflineState> | undefined;

/** Resolves once the service worker controls the page (or it can't); at most `waitMs` later. */
export function registerOffline(url = './sw.js', waitMs = 5000): Promise<OfflineState> {
  registration ??= (async () => {
    const sw = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
    if (!sw || !globalThis.isSecureContext) return 'unsupported';
    try {
      await sw.register(url);
    } catch (e) {
      // Offline, the update check of an installed worker fails, but that worker still serves.
      if (sw.controller) return 'ready';
      console.warn('Mynah: offline support is off:', (e as Error).message);
      return 'failed';
    }
    if (sw.controller) return 'ready';
    const controlled = new Promise<OfflineState>((ok) => sw.addEventListener('controllerchange', () => ok('ready'), { once: true }));
    return Promise.race([controlled, new Promise<OfflineState>((ok) => setTimeout(() => ok('installing'), waitMs))]);
  })();
  return registration;
}

/** Asks the service worker to cache these URLs plus every same-origin file the page has loaded. */
export async function precache(extra: string[] = []): Promise<{ cached: number; of: number } | undefined> {
  const controller = navigator.serviceWorker?.controller;
  if (!controller) return undefined;
  const seen = performance.getEntriesByType('resource').map((e) => e.name);
  const urls = [...new Set([location.href.split('#')[0], ...seen, ...extra])].filter((u) => new URL(u).origin === location.origin);
  const channel = new MessageChannel();
  const answer = new Promise<{ cached: number; of: number }>((ok) => (channel.port1.onmessage = (e) => ok(e.data)));
  controller.postMessage({ type: 'precache', urls }, [channel.port2]);
  return answer;
}

/**
 * What the page's offline support came to, for UI that should wait for the service worker before
 * starting the engine (so the engine's downloads are cached on the first visit). 'unsupported'
 * when the page never registered one (e.g. the Studio embedded in another site).
 */
export async function offlineState(): Promise<OfflineState> {
  await new Promise((ok) => setTimeout(ok, 0)); // let the entry module register first
  return registration ?? 'unsupported';
}
