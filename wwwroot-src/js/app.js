// MarketWatch front-end: htmx plus the few behaviours the server-rendered pages need.
// No inline scripts anywhere: the Content-Security-Policy only allows this bundle.
import htmx from './htmx-global.js';
import 'htmx-ext-sse';
import { initPwa } from './pwa.js';
import { initNotifications, wireAlertForm } from './notifications.js';
import { wirePasskeys } from './passkeys.js';
import './header.js';

// Theme: the server renders data-theme from the profile/cookie; "system" follows the OS.
function applyTheme() {
  const root = document.documentElement;
  const choice = root.dataset.themeChoice || 'system';
  const dark = choice === 'dark' || (choice === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  root.dataset.theme = dark ? 'dark' : 'light';
}
applyTheme();
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', applyTheme);

// Forms: move focus to the first field with an error so keyboard and screen-reader users land on it.
function focusFirstError(root) {
  const invalid = root.querySelector('[aria-invalid="true"], .input-validation-error');
  if (invalid && typeof invalid.focus === 'function') invalid.focus();
}

// Menus (navigation on phones, account menu): buttons with aria-controls toggle their target.
function wireToggles(root) {
  root.querySelectorAll('[data-toggle]').forEach((button) => {
    if (button.dataset.wired) return;
    button.dataset.wired = '1';
    button.addEventListener('click', () => {
      const target = document.getElementById(button.getAttribute('aria-controls'));
      if (!target) return;
      const open = button.getAttribute('aria-expanded') === 'true';
      button.setAttribute('aria-expanded', String(!open));
      target.hidden = open;
    });
  });
}

// Elements that submit their form on change (language and theme pickers) without inline handlers.
function wireAutoSubmit(root) {
  root.querySelectorAll('[data-autosubmit]').forEach((el) => {
    if (el.dataset.wired) return;
    el.dataset.wired = '1';
    el.addEventListener('change', () => el.form && el.form.requestSubmit());
  });
}

// Confirmation prompts for destructive buttons.
document.addEventListener('submit', (e) => {
  const message = e.submitter?.dataset.confirm || e.target.dataset.confirm;
  if (message && !window.confirm(message)) e.preventDefault();
});

// Header search: arrow keys move through the results, Enter opens one, Escape closes the list.
function wireSearch() {
  const input = document.getElementById('site-search');
  const list = document.getElementById('search-results');
  if (!input || !list) return;
  const options = () => Array.from(list.querySelectorAll('[role=option]'));
  let active = -1;
  const show = (open) => {
    list.classList.toggle('open', open);
    input.setAttribute('aria-expanded', String(open));
  };
  const select = (index) => {
    const all = options();
    all.forEach((o, i) => o.setAttribute('aria-selected', String(i === index)));
    active = index;
    if (all[index]) {
      input.setAttribute('aria-activedescendant', all[index].id);
      all[index].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };
  list.addEventListener('htmx:afterSwap', () => {
    active = -1;
    show(list.children.length > 0 && input.value.trim() !== '');
  });
  input.addEventListener('keydown', (e) => {
    const all = options();
    if (e.key === 'ArrowDown' && all.length) {
      e.preventDefault();
      select((active + 1) % all.length);
    } else if (e.key === 'ArrowUp' && all.length) {
      e.preventDefault();
      select((active - 1 + all.length) % all.length);
    } else if (e.key === 'Enter' && all[active]) {
      e.preventDefault();
      window.location.href = all[active].href;
    } else if (e.key === 'Escape') {
      show(false);
    }
  });
  document.addEventListener('click', (e) => {
    if (!e.target.closest('.search')) show(false);
  });
}

// Live pages: a badge says whether prices are live, reconnecting or offline. EventSource reconnects by itself
// (the server asks for 1 s) and sends Last-Event-ID; the server answers with the current state at once.
const sources = new Map();
htmx.createEventSource = (url) => {
  const source = new EventSource(url);
  if (!sources.has(url)) sources.set(url, new Set());
  const set = sources.get(url);
  set.forEach((s) => { if (s.readyState === EventSource.CLOSED) set.delete(s); });
  set.add(source);
  return source;
};

// A live row being edited (open editor, or focus inside) is not replaced under the user's hands;
// the next update after the edit brings it up to date.
// A fragment for the quote already shown (same quote time: the current state sent on every connect) is skipped.
document.addEventListener('htmx:sseBeforeMessage', (event) => {
  const target = event.target;
  if (target.closest?.('[data-sse-background]')) return;
  if (target.querySelector?.('details[open]') || target.contains?.(document.activeElement)) {
    event.preventDefault();
    return;
  }
  const time = /data-time="(\d*)"/.exec(event.detail?.data || '');
  if (time && time[1] && target.dataset?.time === time[1]) event.preventDefault();
});

function setLiveState(state) {
  document.querySelectorAll('[data-live-status]').forEach((badge) => {
    badge.dataset.state = state;
    const text = badge.querySelector('.text');
    if (text) text.textContent = badge.dataset['text' + state.charAt(0).toUpperCase() + state.slice(1)] || state;
  });
}
// The notification stream (data-sse-background) is not a price stream: it does not move the badge.
const isPriceStream = (event) => !event.target.closest?.('[data-sse-background]');
document.addEventListener('htmx:sseOpen', (event) => { if (isPriceStream(event)) setLiveState('live'); });
document.addEventListener('htmx:sseError', (event) => { if (isPriceStream(event)) setLiveState(navigator.onLine ? 'reconnecting' : 'offline'); });
window.addEventListener('offline', () => setLiveState('offline'));
window.addEventListener('online', () => setLiveState('reconnecting'));

// Hidden tabs are throttled: their streams reconnect with ?hidden=1 and get at most one update every few
// seconds (the latest price per ticker); a visible tab reconnects at full speed and gets the current state.
document.addEventListener('visibilitychange', () => {
  document.querySelectorAll('[sse-connect]:not([data-sse-background])').forEach((element) => {
    const current = element.getAttribute('sse-connect');
    if (!current) return;
    const url = new URL(current, window.location.href);
    if (document.hidden) url.searchParams.set('hidden', '1');
    else url.searchParams.delete('hidden');
    const next = url.pathname + url.search;
    if (next === current) return;
    (sources.get(current) || []).forEach((source) => source.close());
    sources.delete(current);
    // A fresh element, so that the rows inside register with the new connection too.
    const fresh = element.cloneNode(true);
    fresh.setAttribute('sse-connect', next);
    element.replaceWith(fresh);
    htmx.process(fresh);
  });
});

function init(root) {
  wireToggles(root);
  wireAutoSubmit(root);
  wireAlertForm(root);
  wirePasskeys(root);
}

document.addEventListener('DOMContentLoaded', () => {
  initPwa();
  initNotifications();
  wireSearch();
  init(document);
  focusFirstError(document);
});
document.addEventListener('htmx:afterSwap', (e) => {
  init(e.target);
  focusFirstError(e.target);
});
