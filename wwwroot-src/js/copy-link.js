// "Copy link": shown only where the Clipboard API exists; says "Copied" (or how to copy by hand) in a status line.
// Used by the watchlist's and the portfolio's share settings.
export function wireCopyButtons(root = document) {
  root.querySelectorAll('[data-copy]').forEach((button) => {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const input = document.getElementById(button.dataset.copy);
      const status = button.closest('.share')?.querySelector('[data-copy-status]');
      try {
        await navigator.clipboard.writeText(input.value);
        if (status) status.textContent = button.dataset.copied;
      } catch {
        input.select();
        if (status) status.textContent = button.dataset.copyFailed;
      }
    });
  });
}
