// In-app notifications: one stream per page of a signed-in user. "bell" events carry the unread count,
// "toast" events a notification already worded by the server (shown as text, never as HTML).
export function initNotifications() {
  const toasts = document.querySelector('[data-toasts]');
  if (!toasts || typeof EventSource === 'undefined') return;
  const source = new EventSource('/stream/notifications');
  source.addEventListener('bell', (event) => {
    const count = parseInt(event.data, 10) || 0;
    document.querySelectorAll('[data-bell-count]').forEach((badge) => {
      badge.textContent = count > 99 ? '99+' : String(count);
      badge.hidden = count === 0;
    });
  });
  source.addEventListener('toast', (event) => {
    let toast;
    try { toast = JSON.parse(event.data); } catch { return; }
    show(toasts, toast);
    document.body.dispatchEvent(new CustomEvent('mw:notification', { detail: toast }));
  });
  window.addEventListener('pagehide', () => source.close());
}

function show(container, toast) {
  const item = document.createElement('div');
  item.className = 'toast';
  item.dataset.testid = 'toast';
  const link = document.createElement('a');
  link.href = toast.url || '/notifications';
  const title = document.createElement('strong');
  title.textContent = toast.title;
  const body = document.createElement('span');
  body.dir = 'auto';
  body.textContent = toast.body;
  link.append(title, body);
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'btn toast-close';
  close.setAttribute('aria-label', container.dataset.textClose || 'Close');
  close.textContent = '×';
  close.addEventListener('click', () => item.remove());
  item.append(link, close);
  container.append(item);
  // The server sends at most five toasts and a "more" one per batch: keep them all.
  while (container.children.length > 6) container.firstElementChild.remove();
  setTimeout(() => item.remove(), 10000);
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
