// Mynah's service worker: keeps the app usable offline after the first visit.
// - Pages: network first (so a new deploy is picked up at once), the cached copy when offline.
// - Hashed build files (assets/): cache first; their names change whenever their content does.
// - Everything else of this origin (ORT's wasm, the shipped pack, the Japanese dictionary, ...):
//   network first, cached copy when offline. Packs converted in the page live in the pack store.
// Requests to other origins are left alone.
const CACHE = 'mynah-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.add(new Request(self.registration.scope, { cache: 'reload' })))
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('mynah-shell-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// The page lists what it fetched before this worker controlled it (first visit): cache those too.
self.addEventListener('message', (event) => {
  const data = event.data;
  if (data?.type !== 'precache' || !Array.isArray(data.urls)) return;
  const port = event.ports[0];
  const urls = data.urls.filter((u) => typeof u === 'string' && new URL(u).origin === self.location.origin);
  event.waitUntil(
    caches.open(CACHE).then(async (c) => {
      let cached = 0;
      await Promise.all(
        urls.map(async (u) => {
          if (await c.match(u)) return void cached++;
          try {
            const res = await fetch(u, { cache: 'no-cache' });
            if (res.ok && res.status === 200) {
              await c.put(u, res);
              cached++;
            }
          } catch {
            // offline already: nothing to add
          }
        }),
      );
      port?.postMessage({ cached, of: urls.length });
    }),
  );
});

function cacheable(res) {
  return res && res.status === 200 && (res.type === 'basic' || res.type === 'default');
}

async function networkFirst(request, key) {
  const c = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (cacheable(res)) await c.put(key ?? request, res.clone()).catch(() => undefined);
    return res;
  } catch (e) {
    const hit = (await c.match(key ?? request)) ?? (request.mode === 'navigate' ? await c.match(self.registration.scope) : undefined);
    if (hit) return hit;
    throw e;
  }
}

async function cacheFirst(request) {
  const c = await caches.open(CACHE);
  const hit = await c.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (cacheable(res)) await c.put(request, res.clone()).catch(() => undefined);
  return res;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || req.headers.has('range')) return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !url.href.startsWith(self.registration.scope)) return;
  if (req.mode === 'navigate') {
    // One cached copy of the page whatever its query (?backend=wasm and the like).
    event.respondWith(networkFirst(req, url.origin + url.pathname));
    return;
  }
  event.respondWith(url.pathname.includes('/assets/') ? cacheFirst(req) : networkFirst(req));
});
