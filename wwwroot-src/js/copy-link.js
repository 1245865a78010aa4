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

// "Share" (Pages/Shared/_ShareButton.cshtml): the phone's share sheet (Web Share API) where there is one and the pointer
// is a finger; elsewhere the page's link goes to the clipboard and a status line says "Link copied" (or shows the link
// selected, to copy by hand). The button is hidden until this runs: without JavaScript there is nothing to press.
export function wireShareButtons(root = document) {
  root.querySelectorAll('[data-share]').forEach((button) => {
    if (button.dataset.shareWired) return;
    button.dataset.shareWired = '1';
    const box = button.closest('[data-share-root]');
    const status = box?.querySelector('[data-share-status]');
    const fallback = box?.querySelector('[data-share-fallback]');
    // The page's own address on the public origin, read at the click: a page that pushed a new URL (the screener's
    // filter) shares what it shows now.
    const current = () => new URL(window.location.pathname + window.location.search, button.dataset.shareUrl).href;
    const sheet = typeof navigator.share === 'function' && window.matchMedia('(pointer: coarse)').matches;
    button.hidden = false;
    const showLink = () => {
      if (fallback) {
        fallback.value = current();
        fallback.hidden = false;
        fallback.select();
      }
      if (status) status.textContent = button.dataset.copyFailed;
    };
    button.addEventListener('click', async () => {
      if (status) status.textContent = '';
      if (sheet) {
        try {
          await navigator.share({ title: button.dataset.shareTitle, url: current() });
        } catch {
          // Dismissed by the reader: nothing to say.
        }
        return;
      }
      if (!navigator.clipboard) {
        showLink();
        return;
      }
      try {
        await navigator.clipboard.writeText(current());
        if (status) status.textContent = button.dataset.copied;
      } catch {
        showLink();
      }
    });
  });
}
