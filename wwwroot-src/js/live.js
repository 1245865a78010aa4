// Live prices: the market streams (htmx SSE extension) send a whole rendered row or block per tick
// (sse-swap="row-ATW", root with id and data-time; or many rows in one event, see data-live-rows below). Swapping whole rows on every tick blocked a phone for
// seconds while the market traded, so fragments are not swapped by htmx here:
//  - they are coalesced per target and applied per animation frame (the latest fragment wins), a few milliseconds
//    of patching per frame at most;
//  - only the elements marked data-cell="<key>" whose content or attributes changed are patched, in place
//    (a changed price is a text change, a sparkline is a new path on the same <polyline>), nothing is read
//    from the layout, so a frame never forces a reflow;
//  - a fragment whose shape differs (other cells, another element) falls back to htmx's whole swap;
//  - the changed price cell (data-cell="last") alone gets a short, subtle flash (live.css); the direction comes
//    from the fragment root's flash-up / flash-down class, which is not copied onto the row.
import htmx from './htmx-global.js';

// EventSources per URL, so that the visibility handler can close the ones of a stream it reconnects.
const sources = new Map();
htmx.createEventSource = (url) => {
  const source = new EventSource(url);
  if (!sources.has(url)) sources.set(url, new Set());
  const set = sources.get(url);
  set.forEach((s) => { if (s.readyState === EventSource.CLOSED) set.delete(s); });
  set.add(source);
  return source;
};

const pending = new Map(); // target element -> latest fragment html
let frame = 0;

// A row being edited (open editor or row menu, focus inside) or dragged is never replaced as a whole under the
// user's hands; its cells are still patched, and a whole swap waits for the next update after the edit.
const busy = (target) => !!(target.querySelector('details[open], :popover-open') || target.contains(document.activeElement)
  || target.closest('[data-dragging]'));

const topCells = (root) => Array.from(root.querySelectorAll('[data-cell]'))
  .filter((cell) => !cell.parentElement.closest('[data-cell]') || !root.contains(cell.parentElement.closest('[data-cell]')));

function parse(html) {
  const template = document.createElement('template');
  template.innerHTML = html.trim();
  const root = template.content.firstElementChild;
  return root && template.content.childElementCount === 1 ? root : null;
}

// Makes `node` look like `next` while keeping every node whose content is the same (attributes and text are
// updated in place). Returns false when the shapes differ too much to morph (the caller replaces the cell content).
function morph(node, next) {
  if (node.nodeType !== next.nodeType || node.nodeName !== next.nodeName) return false;
  if (node.nodeType === Node.TEXT_NODE || node.nodeType === Node.COMMENT_NODE) {
    if (node.data !== next.data) node.data = next.data;
    return true;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return false;
  // What the user opened (a details' open state) stays as they left it; an input's current value is not the
  // attribute, so what was typed survives too.
  syncAttributes(node, next, node.nodeName === 'DETAILS' ? keepOpen : undefined);
  const a = node.childNodes;
  const b = next.childNodes;
  if (a.length !== b.length) {
    node.replaceChildren(...Array.from(b));
    return true;
  }
  // Children first checked, then morphed: a child that cannot be morphed is replaced alone.
  for (let i = 0; i < a.length; i++) {
    if (!morph(a[i], b[i])) a[i].replaceWith(b[i].cloneNode(true));
  }
  return true;
}

const keepOpen = (name) => name === 'open';

function syncAttributes(node, next, keep) {
  for (const { name, value } of Array.from(next.attributes)) {
    if (keep && keep(name)) continue;
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  }
  for (const { name } of Array.from(node.attributes)) {
    if (keep && keep(name)) continue;
    if (!next.hasAttribute(name)) node.removeAttribute(name);
  }
}

const direction = (root) => (root.classList.contains('flash-up') ? 'up' : root.classList.contains('flash-down') ? 'down' : '');

// Restarting a CSS animation usually needs a forced reflow; alternating between two identical animations
// (tick-alt) restarts it without reading the layout.
function flash(cell, dir) {
  if (!dir) return;
  const alt = !cell.classList.contains('tick-alt');
  cell.classList.remove('tick-up', 'tick-down');
  cell.classList.add('tick-' + dir);
  cell.classList.toggle('tick-alt', alt);
}

function fullSwap(target, html) {
  if (busy(target)) return;
  const id = target.id;
  htmx.swap(target, html, { swapStyle: 'outerHTML', swapDelay: 0, settleDelay: 0 });
  const fresh = id && document.getElementById(id);
  if (!fresh) return;
  const dir = direction(fresh);
  fresh.classList.remove('flash-up', 'flash-down');
  const price = fresh.querySelector('[data-cell="last"]');
  if (price) flash(price, dir);
}

// The row's own class is kept (flash-up/down only says which way the tick went); its other attributes follow
// the fragment (data-time), except htmx's and the page's own state.
const keepOnRoot = (name) => name === 'class' || name === 'style' || name === 'open';

function patch(target, html) {
  const next = parse(html);
  if (!next || next.nodeName !== target.nodeName || next.id !== target.id) return fullSwap(target, html);
  const oldCells = topCells(target);
  const newCells = topCells(next);
  if (oldCells.length === 0 || oldCells.length !== newCells.length
      || oldCells.some((cell, i) => cell.dataset.cell !== newCells[i].dataset.cell)
      || target.childElementCount !== next.childElementCount) {
    return fullSwap(target, html);
  }
  const dir = direction(next);
  syncAttributes(target, next, keepOnRoot);
  oldCells.forEach((cell, i) => {
    const fresh = newCells[i];
    const before = cell.textContent;
    // The flash classes are the page's, not the fragment's: keep them while syncing the cell's class.
    const ticking = ['tick-up', 'tick-down', 'tick-alt'].filter((c) => cell.classList.contains(c));
    fresh.classList.add(...ticking);
    let node = cell;
    if (!morph(cell, fresh)) {
      cell.replaceWith(fresh);
      node = fresh;
    }
    if (node.dataset.cell === 'last' && before !== node.textContent) flash(node, dir);
  });
}

// A frame patches for this long at most; the rest waits for the next frame (on connect a screen of rows may all have
// moved since the page was rendered, and a slow phone would otherwise freeze for one long frame).
const FrameBudgetMs = 6;

function flush() {
  frame = 0;
  const started = performance.now();
  for (const [target, html] of pending) {
    pending.delete(target);
    // The row may have been replaced meanwhile (a sort, an edit): the one on the page now takes the update.
    const live = target.isConnected ? target : (target.id && document.getElementById(target.id));
    if (live) patch(live, html);
    if (performance.now() - started > FrameBudgetMs) break;
  }
  if (pending.size) frame = requestAnimationFrame(flush);
}

document.addEventListener('htmx:sseBeforeMessage', (event) => {
  const target = event.target;
  if (target.closest?.('[data-sse-background]')) return;
  const html = event.detail?.data || '';
  const swap = target.getAttribute?.('hx-swap') || '';
  if (!swap.startsWith('outerHTML')) return;
  event.preventDefault();
  // A fragment for the quote already shown (same quote time: the current state sent on every connect) is skipped.
  const time = /data-time="(\d*)"/.exec(html);
  if (time && time[1] && target.dataset?.time === time[1] && !pending.has(target)) return;
  pending.set(target, html);
  if (!frame) frame = requestAnimationFrame(flush);
});

// A stream that sends many rows in one event (the screener's "rows", on an element marked data-live-rows): each
// <tr id> in it goes to the row of that id on the page, through the same per-frame patching. One listener for the
// whole table instead of one sse-swap per row, which htmx would otherwise process one by one at start-up.
document.addEventListener('htmx:sseBeforeMessage', (event) => {
  const target = event.target;
  if (!target.hasAttribute?.('data-live-rows')) return;
  event.preventDefault();
  // Split and read the ids and quote times as text: on connect the event holds every row of the page, most of them
  // as shown already, and only the others are worth parsing (in patch, once per frame).
  for (const part of (event.detail?.data || '').split(/(?=<tr\s)/)) {
    const head = /^\s*<tr\s[^>]*/.exec(part)?.[0];
    const id = head && /\sid="([^"]+)"/.exec(head)?.[1];
    const shown = id && document.getElementById(id);
    if (!shown) continue;
    const time = /\sdata-time="(\d*)"/.exec(head)?.[1];
    if (time && shown.dataset.time === time && !pending.has(shown)) continue;
    pending.set(shown, part.trim());
  }
  if (!frame && pending.size) frame = requestAnimationFrame(flush);
});

function setLiveState(state) {
  document.querySelectorAll('[data-live-status]').forEach((badge) => {
    badge.dataset.state = state;
    const text = badge.querySelector('.text');
    if (text) text.textContent = badge.dataset['text' + state.charAt(0).toUpperCase() + state.slice(1)] || state;
  });
}

export function initLive() {
  // The notification stream (data-sse-background) is not a price stream: it does not move the badge.
  const isPriceStream = (event) => !event.target.closest?.('[data-sse-background]');
  document.addEventListener('htmx:sseOpen', (event) => { if (isPriceStream(event)) setLiveState('live'); });
  document.addEventListener('htmx:sseError', (event) => { if (isPriceStream(event)) setLiveState(navigator.onLine ? 'reconnecting' : 'offline'); });
  window.addEventListener('offline', () => setLiveState('offline'));
  window.addEventListener('online', () => setLiveState('reconnecting'));

  // Hidden tabs are throttled: their streams reconnect with ?hidden=1 and get at most one update every few
  // seconds (the latest price per ticker); a visible tab reconnects at full speed and gets the current state.
  document.addEventListener('visibilitychange', () => {
    document.querySelectorAll('[sse-connect]:not([data-sse-background])').forEach((element) => {
      const current = element.getAttribute('sse-connect');
      if (!current) return;
      const url = new URL(current, window.location.href);
      if (document.hidden) url.searchParams.set('hidden', '1');
      else url.searchParams.delete('hidden');
      const next = url.pathname + url.search;
      if (next === current) return;
      (sources.get(current) || []).forEach((source) => source.close());
      sources.delete(current);
      // A fresh element, so that the rows inside register with the new connection too.
      const fresh = element.cloneNode(true);
      fresh.setAttribute('sse-connect', next);
      element.replaceWith(fresh);
      htmx.process(fresh);
      // What was wired to the old element (drag and drop on a watchlist, the chart following the price) wires again.
      htmx.trigger(fresh, 'htmx:load', { elt: fresh });
      fresh.dispatchEvent(new CustomEvent('mw:live-source', { bubbles: true }));
    });
  });
}
