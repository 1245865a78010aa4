// Phone header: the search icon is a link to the search page (it works without JS); with JS it opens the header's
// own search field in place instead, so suggestions come as you type.
const narrow = window.matchMedia('(max-width: 640px)');

document.addEventListener('click', (e) => {
  const toggle = e.target.closest?.('[data-search-toggle]');
  if (!toggle || !narrow.matches) return;
  const header = toggle.closest('.site-header');
  if (!header) return;
  e.preventDefault();
  const open = !header.classList.contains('search-open');
  header.classList.toggle('search-open', open);
  toggle.setAttribute('aria-expanded', String(open));
  if (open) document.getElementById('site-search')?.focus();
});
