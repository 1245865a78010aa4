// Transaction form (portfolio transactions, "add a transaction"): the preview the server renders as the user types
// carries the fee schedule's estimates; an empty fees or taxes field shows them as its placeholder, so "empty = the
// schedule's default" reads as the amount it will be. Everything else on these pages is htmx and CSS.
function showEstimates(preview) {
  const form = preview.closest('form');
  if (!form) return;
  const body = preview.querySelector('.tx-preview-body');
  form.querySelectorAll('[data-estimate]').forEach((input) => {
    if (!input.dataset.placeholder) input.dataset.placeholder = input.placeholder;
    const estimate = body ? body.dataset[input.dataset.estimate] : null;
    input.placeholder = estimate || input.dataset.placeholder;
  });
}

document.addEventListener('htmx:afterSettle', (e) => {
  const target = e.detail && e.detail.target;
  if (target && target.classList && target.classList.contains('tx-preview')) showEstimates(target);
});
