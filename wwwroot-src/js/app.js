// MarketWatch front-end: htmx plus the few behaviours the server-rendered pages need.
// No inline scripts anywhere: the Content-Security-Policy only allows this bundle.
import htmx from 'htmx.org';

window.htmx = htmx;

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

function init(root) {
  wireToggles(root);
  wireAutoSubmit(root);
}

document.addEventListener('DOMContentLoaded', () => {
  init(document);
  focusFirstError(document);
});
document.addEventListener('htmx:afterSwap', (e) => {
  init(e.target);
  focusFirstError(e.target);
});
