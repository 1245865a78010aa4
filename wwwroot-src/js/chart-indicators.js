// The stock chart's indicators (owner: charts): the choices (form controls, remembered in this browser's localStorage
// under "mw.chart.indicators"), the series Analytics computes at /analytics/chart/{ticker}, and their table alternative.
// chart.js draws them; nothing is computed here: every value comes from the server's one indicator library.

const STORE = 'mw.chart.indicators';
export const DAILY_RANGES = ['1M', '3M', '6M', '1Y', '5Y'];
const DEFAULTS = { sma: { on: false, period: 50 }, ema: { on: false, period: 20 }, bb: { on: false }, volume: true, rsi: false, macd: false };

function clampPeriod(value, fallback) {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? Math.min(200, Math.max(2, n)) : fallback;
}

export function loadChoices() {
  let saved = {};
  try { saved = JSON.parse(localStorage.getItem(STORE) || '{}') || {}; } catch { saved = {}; }
  return {
    sma: { on: saved.sma?.on === true, period: clampPeriod(saved.sma?.period, DEFAULTS.sma.period) },
    ema: { on: saved.ema?.on === true, period: clampPeriod(saved.ema?.period, DEFAULTS.ema.period) },
    bb: { on: saved.bb?.on === true },
    volume: saved.volume !== false,
    rsi: saved.rsi === true,
    macd: saved.macd === true,
  };
}

function saveChoices(choices) {
  try { localStorage.setItem(STORE, JSON.stringify(choices)); } catch { /* private mode: not remembered */ }
}

/** The query the server needs for the chosen overlays and panes (volume comes with the bars). */
export function query(choices) {
  const overlays = [];
  if (choices.sma.on) overlays.push(`sma:${choices.sma.period}`);
  if (choices.ema.on) overlays.push(`ema:${choices.ema.period}`);
  if (choices.bb.on) overlays.push('bb:20');
  const panes = [];
  if (choices.rsi) panes.push('rsi:14');
  if (choices.macd) panes.push('macd');
  return { overlays: overlays.join(','), panes: panes.join(','), any: overlays.length + panes.length > 0 };
}

/** Wires the form controls to the choices; onChange runs after each change (already saved). */
export function bindControls(choices, onChange) {
  const box = document.getElementById('chart-indicators');
  if (!box) return;
  const check = (id) => box.querySelector(`#${id}`);
  const pairs = [['ind-sma', 'sma'], ['ind-ema', 'ema'], ['ind-bb', 'bb']];
  for (const [id, key] of pairs) {
    const input = check(id);
    if (!input) continue;
    input.checked = choices[key].on;
    input.addEventListener('change', () => { choices[key].on = input.checked; saveChoices(choices); onChange(); });
  }
  for (const key of ['sma', 'ema']) {
    const input = check(`ind-${key}-period`);
    if (!input) continue;
    input.value = String(choices[key].period);
    input.addEventListener('change', () => {
      const period = clampPeriod(input.value, choices[key].period);
      input.value = String(period);
      if (period === choices[key].period) return;
      choices[key].period = period;
      saveChoices(choices);
      if (choices[key].on) onChange();
    });
  }
  for (const key of ['volume', 'rsi', 'macd']) {
    const input = check(`ind-${key}`);
    if (!input) continue;
    input.checked = choices[key];
    input.addEventListener('change', () => { choices[key] = input.checked; saveChoices(choices); onChange(); });
  }
}

export async function fetchIndicators(ticker, range, choices) {
  const q = query(choices);
  if (!q.any || !DAILY_RANGES.includes(range)) return null;
  const params = new URLSearchParams({ range });
  if (q.overlays) params.set('overlays', q.overlays);
  if (q.panes) params.set('panes', q.panes);
  const response = await fetch(`/analytics/chart/${encodeURIComponent(ticker)}?${params}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

/** The drawn series in words: a table of the last sessions' values (the canvas's alternative for screen readers and keyboards). */
export function fillTable(table, columns, times, when, format) {
  if (!table) return;
  const last = Math.max(0, times.length - 20);
  const head = document.createElement('tr');
  for (const name of columns.map((c) => c.name)) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = name;
    head.append(th);
  }
  const rows = [];
  for (let i = times.length - 1; i >= last; i--) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = when(times[i]);
    tr.append(th);
    for (const column of columns.slice(1)) {
      const td = document.createElement('td');
      td.className = 'num';
      const value = column.values[i];
      td.textContent = value == null ? '—' : column.format ? column.format(value) : format(value);
      tr.append(td);
    }
    rows.push(tr);
  }
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...rows);
}
