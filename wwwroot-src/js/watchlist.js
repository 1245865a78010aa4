// Watchlist page: drag and drop reordering (SortableJS). The keyboard way is the ↑ ↓ buttons of each row.
import Sortable from 'sortablejs';

function wire(root) {
  root.querySelectorAll('tbody[data-sortable]').forEach((body) => {
    if (body.dataset.wired) return;
    body.dataset.wired = '1';
    Sortable.create(body, {
      handle: '.drag-handle',
      forceFallback: true, // pointer events: the same on mouse, touch and pen
      animation: 150,
      onEnd: async () => {
        const form = new FormData();
        body.querySelectorAll('tr[data-ticker]').forEach((row) => form.append('tickers', row.dataset.ticker));
        const antiForgery = window.htmx.config.antiForgery || {};
        const response = await fetch(body.dataset.sortable, {
          method: 'POST',
          body: form,
          headers: { [antiForgery.headerName || 'RequestVerificationToken']: antiForgery.requestToken || '', 'HX-Request': 'true' },
        });
        if (response.ok) {
          const table = document.getElementById('watchlist-table');
          window.htmx.swap(table, await response.text(), { swapStyle: 'outerHTML' });
        } else {
          window.location.reload();
        }
      },
    });
  });
}

document.addEventListener('DOMContentLoaded', () => wire(document));
document.addEventListener('htmx:afterSwap', (e) => wire(e.target.ownerDocument || document));
