// The dashboard's heatmap, live. The stream (/stream/analytics) only says "changed" (at most every 2 s); the heatmap
// then reads its cells' figures as JSON (data-cells-url) and patches the cells already drawn: a cell whose colour step
// moved gets its class, a changed change its label and name (the SVG <title>), a sector its label. Nothing else is
// touched, so a refresh restyles a handful of nodes instead of re-creating two drawings of ~150 cells (which kept a
// throttled phone's main thread busy for most of every interval). When the drawn set differs (data-drawn: a stock's
// first trade, the sizing switched), the heatmap fragment is re-fetched and swapped whole instead.
// Two drawings, wide and tall: one in the document, the other in a <template> (inert, so the page carries half the
// nodes). The page's own script shows the tall one on a phone before the first paint; here the same rule applies after
// a swap and when the screen crosses the breakpoint. Both drawings are patched, so a turn shows current figures.
import htmx from './htmx-global.js';

const phone = window.matchMedia('(max-width: 640px)');

function choose(root) {
  const template = root.querySelector('template[data-heatmap-other]');
  const shown = root.querySelector(':scope > svg.heatmap-svg');
  if (!template || !shown || shown.classList.contains('heatmap-narrow') === phone.matches) return;
  const other = template.content.querySelector('svg');
  if (!other) return;
  root.insertBefore(other, template);
  template.content.appendChild(shown);
}

/** The heatmap's nodes matching a selector, in the shown drawing and in the waiting one. */
function all(root, selector) {
  const waiting = root.querySelector('template[data-heatmap-other]');
  return [...root.querySelectorAll(selector), ...(waiting ? waiting.content.querySelectorAll(selector) : [])];
}

let busy = false;
let again = false;

function patch(root, figures) {
  const cells = new Map();
  all(root, 'a[data-cell]').forEach((a) => {
    const list = cells.get(a.dataset.cell);
    if (list) list.push(a);
    else cells.set(a.dataset.cell, [a]);
  });
  for (const cell of figures.cells) {
    for (const a of cells.get(cell.ticker) || []) {
      const step = String(cell.step);
      if (a.dataset.step !== step) {
        a.dataset.step = step;
        a.setAttribute('class', 'hm-cell ' + cell.class);
      }
      const title = a.querySelector('title');
      if (title && title.textContent !== cell.title) title.textContent = cell.title;
      const change = a.querySelector('.hm-change');
      if (change && change.textContent !== cell.change) change.textContent = cell.change;
    }
  }
  all(root, '[data-sector-label]').forEach((text) => {
    const label = figures.sectors[text.dataset.sectorLabel];
    if (label !== undefined && text.textContent !== label) text.textContent = label;
  });
  root.dataset.version = String(figures.version);
}

async function refresh(root) {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    const response = await fetch(root.dataset.cellsUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!response.ok || !root.isConnected) return;
    const figures = await response.json();
    if (!root.isConnected) return;
    if (figures.drawn !== root.dataset.drawn) {
      await htmx.ajax('GET', root.dataset.heatmapUrl, { target: root, swap: 'outerHTML' });
    } else {
      requestAnimationFrame(() => patch(root, figures));
    }
  } catch {
    // Offline or the server restarting: the live badge says so, and the next "changed" tries again.
  } finally {
    busy = false;
    if (again) {
      again = false;
      const current = document.getElementById('heatmap');
      if (current) refresh(current);
    }
  }
}

document.addEventListener('sse:changed', (event) => {
  const root = event.target;
  if (root?.id === 'heatmap' && root.dataset.cellsUrl) refresh(root);
});

htmx.onLoad((content) => {
  const root = content.id === 'heatmap' ? content : content.querySelector?.('#heatmap');
  if (root) choose(root);
});
phone.addEventListener('change', () => {
  const root = document.getElementById('heatmap');
  if (root) choose(root);
});
