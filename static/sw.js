// Trailscope's service worker: keeps the built site so the page opens offline after one visit.
// It only ever serves this site's own files from its cache; it never fetches anything else, and the
// logs a person drops never pass through it (they are read from File handles inside the tab).
//
// scripts/sw-precache.mjs (a Trunk post-build hook) writes the list of built files and their digest
// into the copy of this file in dist/. A new build has a new digest, so browsers install the new
// worker, which caches the new files as one set and deletes the old set: an app and a wasm module
// from two builds are never mixed. Updates apply from the next page load.
const VERSION = '__TRAILSCOPE_VERSION__';
const FILES = [/* __TRAILSCOPE_FILES__ */];
const CACHE = `trailscope-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // `reload`: straight from the server, not from a possibly stale HTTP cache.
    await cache.addAll(FILES.map((f) => new Request(f, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('trailscope-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // The page's URL may carry a query; the fragment (a shared view) never reaches here.
    const hit = await cache.match(request, { ignoreSearch: true });
    return hit || fetch(request);
  })());
});
