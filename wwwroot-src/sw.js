// MarketWatch service worker: the app shell offline, the last watchlist as a snapshot, web push.
// __VERSION__ and __PRECACHE__ are filled in by build.mjs (a hash of the built assets, and their list).
/* global __VERSION__, __PRECACHE__ */
const SHELL = `mw-shell-${__VERSION__}`;
// Everything that belongs to one user lives here, and is deleted on sign-out or when another account signs in.
const USER = 'mw-user';
const LAST_WATCHLIST = '/__mw/last-watchlist';
const WATCHLIST = /^\/watchlists\/\d+$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll([...__PRECACHE__, '/offline'])));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== SHELL && name !== USER) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
  if (event.data === 'clear-user') event.waitUntil(caches.delete(USER));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Never cached: the API, live streams, and anything asking for an event stream.
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/stream/') || request.headers.get('Accept') === 'text/event-stream') return;

  if (request.mode === 'navigate') {
    event.respondWith(page(request, url));
  } else if (url.pathname.startsWith('/dist/') || url.pathname === '/manifest.webmanifest') {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)));
  }
});

// Pages: network first. A watchlist page is kept as the user's snapshot; offline, the snapshot or the offline page.
async function page(request, url) {
  try {
    const response = await fetch(request);
    if (response.ok && WATCHLIST.test(url.pathname) && !response.redirected) {
      const cache = await caches.open(USER);
      await cache.put(url.pathname, response.clone());
      await cache.put(LAST_WATCHLIST, new Response(JSON.stringify({ url: url.pathname, time: new Date().toISOString() })));
    }
    return response;
  } catch {
    const cache = await caches.open(USER);
    const last = await cache.match(LAST_WATCHLIST).then((r) => (r ? r.json() : null));
    if (last && (url.pathname === last.url || url.pathname === '/watchlists')) {
      const snapshot = await cache.match(last.url);
      if (snapshot) return label(snapshot, `<p class="offline-snapshot" data-testid="offline-snapshot" data-offline-snapshot data-time="${last.time}"></p>`);
    }
    const offline = await caches.match('/offline');
    if (!offline) return Response.error();
    return last ? label(offline, `<p data-testid="last-snapshot"><a class="btn" data-last-snapshot data-time="${last.time}" href="${last.url}"></a></p>`) : offline;
  }
}

// Puts a marker right after <main ...>; the page's script words it in the page's language.
async function label(response, marker) {
  const html = await response.text();
  const index = html.indexOf('>', html.indexOf('<main')) + 1;
  return new Response(html.slice(0, index) + marker + html.slice(index), {
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
  });
}

self.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(self.registration.showNotification(payload.title || 'MarketWatch', {
    body: payload.body || '',
    icon: payload.icon || '/dist/icons/icon-192.png',
    badge: payload.badge || '/dist/icons/badge-96.png',
    tag: payload.tag,
    data: { url: payload.url || '/' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || '/', self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (open) {
      await open.focus();
      if (open.url !== target && 'navigate' in open) await open.navigate(target);
      return;
    }
    await self.clients.openWindow(target);
  })());
});
