// Digit Lab service worker (the coi-serviceworker technique, written for this app):
//  1. adds the cross-origin isolation headers (COOP/COEP) to every same-origin response, so the
//     threads build works on static hosts that cannot send headers;
//  2. keeps an offline copy: the app and the dataset are precached at install; app files are
//     fetched network-first (a rebuilt app shows up), the dataset cache-first.
// scripts/build-web.sh fills in the version and the file list.
const VERSION = '__VERSION__';
const PRECACHE = ["__PRECACHE__"];
const CACHE = 'digitlab-' + VERSION;

self.addEventListener('install', (event) => {
  self.skipWaiting();
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // One by one, so that one missing file does not stop the worker from installing.
    await Promise.all(PRECACHE.map(async (path) => {
      try {
        const res = await fetch(new Request(path, { cache: 'reload' }));
        if (res.ok) await cache.put(path, res);
      } catch (e) { /* offline copy of this file will be made when it is next fetched */ }
    }));
    const index = await cache.match('index.html');
    if (index) await cache.put('./', index.clone());
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('digitlab-') && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

function isolated(res) {
  if (!res || res.status === 0 || res.type === 'opaque' || res.type === 'opaqueredirect') return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

// Cache writes happen after the response is on its way (event.waitUntil), not before it: awaiting
// them put a 2 MB cache write in front of every app file on repeat visits.
async function respond(event) {
  const req = event.request;
  const cache = await caches.open(CACHE);
  const url = new URL(req.url);
  if (url.pathname.includes('/assets/')) {  // the dataset never changes: cache first
    const hit = await cache.match(req, { ignoreSearch: true });
    if (hit) return isolated(hit);
    const res = await fetch(req);
    if (res.ok) event.waitUntil(cache.put(req, res.clone()));
    return isolated(res);
  }
  try {
    const res = await fetch(req);
    if (res.ok && res.type === 'basic') event.waitUntil(cache.put(req, res.clone()));
    return isolated(res);
  } catch (err) {  // offline: the cached copy
    const hit = (await cache.match(req, { ignoreSearch: true })) ||
                (req.mode === 'navigate' ? (await cache.match('./')) || (await cache.match('index.html')) : undefined);
    if (hit) return isolated(hit);
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  if (req.cache === 'only-if-cached' && req.mode !== 'same-origin') return;
  event.respondWith(respond(event));
});
