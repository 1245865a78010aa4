// Installable app: service worker with an update prompt, install button, per-account cache hygiene,
// offline snapshot labels and the "enable notifications on this device" control.

function format(template, value) {
  return (template || '{0}').replace('{0}', value);
}

// The server's style (Format.DateTime): day before month, 24-hour clock, in the profile's zone (not the browser's).
function localTime(iso) {
  const { dateLocale, timeZone } = document.body.dataset;
  const options = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  try {
    return new Intl.DateTimeFormat(dateLocale || document.documentElement.lang || undefined, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(dateLocale || undefined, options).format(new Date(iso));
  }
}

// Snapshots served offline carry a marker; word it in the page's language.
function labelSnapshots() {
  document.querySelectorAll('[data-offline-snapshot]').forEach((el) => {
    el.textContent = format(document.body.dataset.textSnapshot, localTime(el.dataset.time));
  });
  document.querySelectorAll('[data-last-snapshot]').forEach((el) => {
    el.textContent = format(document.body.dataset.textLastSnapshot, localTime(el.dataset.time));
  });
}

// A different account (or none, after sign-out) than the one the cached snapshot belongs to: drop it.
async function guardUserCache() {
  const meta = document.querySelector('meta[name="mw-user"]');
  if (!meta || !('caches' in window)) return;
  const current = meta.content || '';
  if (localStorage.getItem('mw-user') !== current) {
    await caches.delete('mw-user');
    localStorage.setItem('mw-user', current);
  }
}

function wireSignOut() {
  document.querySelectorAll('form[action="/account/logout"]').forEach((form) => {
    form.addEventListener('submit', () => {
      if ('caches' in window) caches.delete('mw-user');
      navigator.serviceWorker?.controller?.postMessage('clear-user');
    });
  });
}

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  const prompt = document.querySelector('[data-update-prompt]');
  const offer = (worker) => {
    if (!prompt || !worker) return;
    prompt.hidden = false;
    prompt.querySelector('[data-update-reload]').onclick = () => worker.postMessage('skip-waiting');
  };
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (prompt && !prompt.hidden && !reloading) {
      reloading = true;
      window.location.reload();
    }
  });
}

function wireInstall() {
  const button = document.querySelector('[data-install]');
  let deferred = null;
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    deferred = event;
    if (button) button.hidden = false;
  });
  button?.addEventListener('click', async () => {
    if (!deferred) return;
    deferred.prompt();
    await deferred.userChoice;
    deferred = null;
    button.hidden = true;
  });
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent) && !window.navigator.standalone;
  const hint = document.querySelector('[data-ios-hint]');
  if (ios && hint && !localStorage.getItem('mw-ios-hint-seen')) {
    hint.hidden = false;
    localStorage.setItem('mw-ios-hint-seen', '1');
  }
}

function base64UrlToBytes(value) {
  const padded = (value + '='.repeat((4 - (value.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

// A cookie-signed-in call to /api that changes something must carry the page's antiforgery token, as htmx's own
// requests do (the layout's htmx-config meta tag puts it in htmx.config); the server refuses it otherwise.
function antiforgeryHeader() {
  const token = window.htmx?.config?.antiForgery;
  return token?.headerName ? { [token.headerName]: token.requestToken } : {};
}

function wirePush() {
  const box = document.querySelector('[data-push]');
  if (!box) return;
  const status = box.querySelector('[data-push-status]');
  const say = (key) => { status.textContent = box.dataset[key] || ''; };
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    say('textUnsupported');
    box.querySelector('[data-push-enable]').disabled = true;
    return;
  }
  box.querySelector('[data-push-enable]').addEventListener('click', async () => {
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        say('textDenied');
        return;
      }
      const registration = await navigator.serviceWorker.ready;
      const { publicKey } = await (await fetch('/api/notifications/vapid-public-key')).json();
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(publicKey) });
      const response = await fetch('/api/notifications/push-subscriptions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...antiforgeryHeader() },
        body: JSON.stringify({ ...subscription.toJSON(), name: box.dataset.deviceName }),
      });
      if (!response.ok) throw new Error(String(response.status));
      say('textEnabled');
      window.location.reload();
    } catch {
      say('textFailed');
    }
  });
}

export function initPwa() {
  labelSnapshots();
  guardUserCache();
  wireSignOut();
  wireInstall();
  wirePush();
  registerServiceWorker().catch(() => {});
}
