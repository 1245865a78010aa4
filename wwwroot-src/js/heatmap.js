// The dashboard's heatmap, live. The stream (/stream/analytics) only says "changed" (at most every 2 s); the heatmap
// then reads its cells' figures as JSON (data-cells-url) and patches the cells already drawn: a cell whose colour step
// moved gets its class, a changed change its label and name (the SVG <title>), a sector its label. Nothing else is
// touched, so a refresh restyles a handful of nodes instead of re-creating two drawings of ~150 cells (which kept a
// throttled phone's main thread busy for most of every interval). When the drawn set differs (data-drawn: a stock's
// first trade, the sizing switched), the heatmap fragment is re-fetched and swapped whole instead.
import htmx from './htmx-global.js';

let busy = false;
let again = false;

function patch(root, figures) {
  const cells = new Map();
  root.querySelectorAll('a[data-cell]').forEach((a) => {
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
  root.querySelectorAll('[data-sector-label]').forEach((text) => {
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
