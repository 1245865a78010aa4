// In-app notifications: the layout's toast stack is connected to /stream/notifications by the htmx SSE extension.
// "toast" events are rendered toasts it appends (sse-swap); "bell" events carry only the unread count.
const MaxToasts = 6;
const ToastSeconds = 10;

export function initNotifications() {
  const stack = document.querySelector('[data-toasts]');
  if (!stack) return;
  stack.addEventListener('sse:bell', (event) => {
    const count = parseInt(event.detail?.data, 10) || 0;
    document.querySelectorAll('[data-bell-count]').forEach((badge) => {
      badge.textContent = count > 99 ? '99+' : String(count);
      badge.hidden = count === 0;
    });
  });
  stack.addEventListener('htmx:sseMessage', (event) => {
    if (event.detail?.type !== 'toast') return;
    const toast = stack.lastElementChild;
    // A freshly opened stream also sends the last few seconds' unread notifications (one may have arrived while the
    // browser went from one page to the next); one this tab already showed in full is not shown again.
    if (toast?.dataset.notificationId && seenToasts().includes(toast.dataset.notificationId)) {
      toast.remove();
      return;
    }
    // The server sends at most five toasts and a "more" one per batch: keep them all, drop older ones.
    while (stack.children.length > MaxToasts) stack.firstElementChild.remove();
    if (toast) setTimeout(() => { markSeen(toast); toast.remove(); }, ToastSeconds * 1000);
    document.body.dispatchEvent(new CustomEvent('mw:notification'));
  });
  stack.addEventListener('click', (event) => {
    const toast = event.target.closest('[data-toast]');
    if (!toast) return;
    markSeen(toast);
    if (event.target.closest('[data-toast-close]')) toast.remove();
  });
}

const SeenKey = 'mw-toasts-seen';

function seenToasts() {
  try {
    return JSON.parse(sessionStorage.getItem(SeenKey) || '[]');
  } catch {
    return [];
  }
}

function markSeen(toast) {
  const id = toast.dataset.notificationId;
  if (!id) return;
  try {
    sessionStorage.setItem(SeenKey, JSON.stringify([...seenToasts().filter((x) => x !== id), id].slice(-50)));
  } catch {
    // Storage refused (private mode, quota): a toast may then show again on the next page, which is harmless.
  }
}

// The alert form shows only the fields its choices use: the condition's level, channel high and window, and the
// pause between firings for "every time". Each select's chosen option says (data-*) which fields it needs.
export function wireAlertForm(root) {
  root.querySelectorAll('select[data-condition], select[data-trigger-mode]').forEach((select) => {
    if (select.dataset.wired) return;
    select.dataset.wired = '1';
    const form = select.form;
    const apply = () => {
      const option = select.selectedOptions[0];
      if (!option) return;
      form.querySelectorAll('[data-needs]').forEach((field) => {
        const need = option.dataset[field.dataset.needs];
        if (need !== undefined) field.hidden = need !== '1';
      });
      // The level's label and help name what this condition needs: a price in MAD, a percent, shares.
      if (option.dataset.levelLabel) {
        form.querySelectorAll('label[data-level-label]').forEach((label) => { label.textContent = option.dataset.levelLabel; });
        form.querySelectorAll('p[data-level-help]').forEach((help) => { help.textContent = option.dataset.levelHelp || ''; });
      }
    };
    select.addEventListener('change', apply);
    apply();
  });
}
