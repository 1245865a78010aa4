// Watchlist page: drag and drop reordering (SortableJS), saved the way htmx's sortable example does it: SortableJS
// fires "end" and htmx posts the form whose hidden inputs sit in the rows, so they arrive in the new order and the
// antiforgery token travels as on every other htmx request. The keyboard way is the ↑ ↓ buttons of each row.
import Sortable from 'sortablejs';

window.htmx.onLoad((content) => {
  content.querySelectorAll('tbody[data-sortable]').forEach((body) => {
    Sortable.create(body, {
      handle: '.drag-handle',
      forceFallback: true, // pointer events: the same on mouse, touch and pen
      animation: 150,
      // No second drag while the first is saved: the answer replaces the whole table, rows and all.
      onEnd() {
        this.option('disabled', true);
      },
    });
  });
});

// A refused or lost save: show the order the server kept.
['htmx:responseError', 'htmx:sendError'].forEach((name) => document.addEventListener(name, (e) => {
  if (e.target.id === 'watchlist-order') window.location.reload();
}));
