// Watchlist page: drag and drop reordering (SortableJS), saved the way htmx's sortable example does it: SortableJS
// fires "end" and htmx posts the form whose hidden inputs sit in the rows, so they arrive in the new order and the
// antiforgery token travels as on every other htmx request. The keyboard way is the ↑ ↓ buttons of each row's menu.
import Sortable from 'sortablejs';
import { wireCopyButtons } from './copy-link.js';

function initSortable(root) {
  root.querySelectorAll('tbody[data-sortable]').forEach((body) => {
    if (Sortable.get(body)) return;
    const table = body.closest('[data-live-source]');
    Sortable.create(body, {
      handle: '.drag-handle',
      forceFallback: true, // pointer events: the same on mouse, touch and pen
      fallbackTolerance: 3, // a tap on the handle is not a drag
      animation: 0, // no transform transitions: each frame would write a style
      onStart() {
        // While a row is held, live updates must not replace it (they patch cells at most).
        if (table) table.dataset.dragging = '';
      },
      // No second drag while the first is saved: the answer replaces the whole table, rows and all.
      onEnd() {
        this.option('disabled', true);
        if (table) delete table.dataset.dragging;
      },
    });
  });
}

function openRequestedMenus(root) {
  // A row sent back with an error reopens its menu, so the message and what was typed are seen.
  root.querySelectorAll('[popover].open-on-load').forEach((menu) => {
    if (menu.isConnected && !menu.matches(':popover-open')) menu.showPopover();
  });
}

// The page as loaded (htmx has already processed it when this deferred script runs), then every swapped fragment.
initSortable(document);
window.htmx.onLoad((content) => {
  initSortable(content);
  openRequestedMenus(content);
});

// A row held by a drag or with its menu open gets its cells patched but is never swapped whole (live.js, busy()).

// A refused or lost save: show the order the server kept.
['htmx:responseError', 'htmx:sendError'].forEach((name) => document.addEventListener(name, (e) => {
  if (e.target.id === 'watchlist-order') window.location.reload();
}));

// The file picker: a label styled as a button; the chosen file's name is shown next to it.
document.addEventListener('change', (e) => {
  const input = e.target;
  if (!input.matches?.('.file-input')) return;
  const name = input.closest('form')?.querySelector('[data-file-name]');
  if (name && input.files?.length) name.textContent = input.files[0].name;
});

// "Copy link" (shared with the portfolio's share settings).
wireCopyButtons();
