// Digit Lab service worker (the coi-serviceworker technique, written for this app):
//  1. adds the cross-origin isolation headers (COOP/COEP) to every same-origin response, so the
//     threads build works on static hosts that cannot send headers;
//  2. keeps a whole offline copy of one build. Install fills this version's cache with every app
//     file of the build; if any file does not download, install fails, the cache is dropped, the open
//     pages are told (web/app.js says it and retries) and the version in use goes on serving. A page
//     gets every app file from the cache of the version that controls it, so it never mixes two
//     builds. A version installed while another is in use waits until a page asks it to take over
//     (the "reload" button of web/app.js) or every page of the old one is closed; when it activates
//     it deletes the older versions' caches. The very first version activates at once and claims
//     the open page (no page is controlled yet, so nothing can mix).
//  The dataset (assets/) never changes: it lives in one unversioned cache that every version checks
//  is complete at install, so a new version does not download it again. Fashion-MNIST (31 MB) is
//  not part of the install: its files join that cache when a page first asks for them.
// scripts/build-web.sh fills in the version and the file lists.
const VERSION = '__VERSION__';
const PRECACHE = ["__PRECACHE__"];
const ON_DEMAND = ["__ON_DEMAND__"];
const APP_CACHE = 'digitlab-app-' + VERSION;
const DATA_CACHE = 'digitlab-data';
const FILES = new Set([...PRECACHE, ...ON_DEMAND]);
const isData = (path) => path.startsWith('assets/');
const cacheFor = (path) => caches.open(isData(path) ? DATA_CACHE : APP_CACHE);

// Fills the caches; throws, with what failed in words, unless every file is in them afterwards.
async function precache() {
  await caches.delete(APP_CACHE);  // files of an attempt that did not finish are not trusted
  const failed = new Map();  // path → why
  await Promise.all(PRECACHE.map(async (path) => {
    const cache = await cacheFor(path);
    if (isData(path) && (await cache.match(path))) return;
    try {
      // A dataset file may still be in an older worker's cache; app files come from the network,
      // past the HTTP cache.
      const res = (isData(path) && (await caches.match(path))) || (await fetch(new Request(path, { cache: 'reload' })));
      if (!res.ok) throw new Error('HTTP ' + res.status);
      await cache.put(path, res);
    } catch (e) {
      failed.set(path, e instanceof TypeError ? 'no connection' : e.message || String(e));
    }
  }));
  // Checked again: the puts into a cache deleted meanwhile (another version activating) are lost.
  for (const path of PRECACHE) {
    if (!failed.has(path) && !(await (await cacheFor(path)).match(path))) failed.set(path, 'not stored');
  }
  if (!failed.size) return;
  await caches.delete(APP_CACHE);
  const list = [...failed].slice(0, 3).map(([path, why]) => path + ': ' + why).join('; ');
  throw new Error((failed.size === 1 ? '1 file' : failed.size + ' files') + ' of ' + PRECACHE.length +
                  ' did not download (' + list + (failed.size > 3 ? '; …' : '') + ')');
}

async function tell(message) {
  for (const c of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) c.postMessage(message);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().catch(async (e) => {
    await tell({ type: 'precache-failed', version: VERSION, error: e.message });
    throw e;  // install fails: this version never serves
  }));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('digitlab-') && key !== APP_CACHE && key !== DATA_CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

// 'version': which build this worker serves; 'skip-waiting': take over now (the page reloads).
self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
  else if (event.data === 'version' && event.source) event.source.postMessage({ type: 'version', version: VERSION });
});

function isolated(res) {
  if (!res || res.status === 0 || res.type === 'opaque' || res.type === 'opaqueredirect') return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

// A request's file in the build's lists ('' for anything else); the folder itself is index.html.
function fileOf(url) {
  const scope = self.registration.scope;
  if (!url.startsWith(scope)) return '';
  const path = url.slice(scope.length).replace(/[?#].*$/, '') || 'index.html';
  return FILES.has(path) ? path : '';
}

// Files of the build: from the cache (this version's, or the data cache). Only if the cache lacks
// one (storage cleared under us) does it come from the network; a dataset file fetched that way is
// kept, after the response is on its way.
async function respond(event) {
  const path = fileOf(event.request.url);
  if (path) {
    const cache = await cacheFor(path);
    const hit = await cache.match(path);
    if (hit) return isolated(hit);
    const res = await fetch(event.request);
    if (isData(path) && res.ok && res.type === 'basic') event.waitUntil(cache.put(path, res.clone()));
    return isolated(res);
  }
  return isolated(await fetch(event.request));
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  if (req.cache === 'only-if-cached' && req.mode !== 'same-origin') return;
  event.respondWith(respond(event));
});
