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
    // The server sends at most five toasts and a "more" one per batch: keep them all, drop older ones.
    while (stack.children.length > MaxToasts) stack.firstElementChild.remove();
    const toast = stack.lastElementChild;
    if (toast) setTimeout(() => toast.remove(), ToastSeconds * 1000);
    document.body.dispatchEvent(new CustomEvent('mw:notification'));
  });
  stack.addEventListener('click', (event) => {
    event.target.closest('[data-toast-close]')?.closest('[data-toast]')?.remove();
  });
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
    };
    select.addEventListener('change', apply);
    apply();
  });
}
