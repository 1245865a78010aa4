// MarketWatch front-end: htmx plus the few behaviours the server-rendered pages need.
// No inline scripts anywhere: the Content-Security-Policy only allows this bundle.
import htmx from './htmx-global.js';
import 'htmx-ext-sse';
import { initPwa } from './pwa.js';
import { initNotifications, wireAlertForm } from './notifications.js';
import { wirePasskeys } from './passkeys.js';
import './header.js';
import { initLive } from './live.js';
import { wireShareButtons } from './copy-link.js';
import './heatmap.js';

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

// Live pages: a badge says whether prices are live, reconnecting or offline; rows are patched per frame (live.js).
initLive();

function init(root) {
  wireToggles(root);
  wireShareButtons(root);
  wireAutoSubmit(root);
  wireAlertForm(root);
  wirePasskeys(root);
}

document.addEventListener('DOMContentLoaded', () => {
  initNotifications();
  wireSearch();
  init(document);
  focusFirstError(document);
  // The installable app's housekeeping (service worker, per-account cache, install and push buttons) runs in a task
  // of its own: htmx has just processed the whole page in this one, and a phone should get a turn in between.
  setTimeout(initPwa, 0);
});
// An outerHTML swap replaces its target: afterSwap's target is the old element, so wire what came in on load too
// (both are idempotent).
htmx.onLoad((content) => {
  wireAutoSubmit(content);
  wireShareButtons(content);
});
document.addEventListener('htmx:afterSwap', (e) => {
  init(e.target);
  focusFirstError(e.target);
});

// Live checks send each field's error out of band (the order ticket): the field it describes follows it, so a screen
// reader hears "invalid" exactly while an error is shown.
document.addEventListener('htmx:oobAfterSwap', (e) => {
  const error = e.target; // the swapped-in element (detail.target is the one it replaced)
  if (!error?.id || !error.classList?.contains('field-error')) return;
  document.querySelectorAll(`[aria-describedby~="${CSS.escape(error.id)}"]`).forEach((field) => {
    if (field.hasAttribute('aria-invalid')) field.setAttribute('aria-invalid', String(error.textContent.trim() !== ''));
  });
});
