// The instrument page's chart: lightweight-charts, fed by /api/market/history.
// Range, type and compare reload or redraw it (and are remembered); volume bars sit under the prices; axes, the
// crosshair readout and the range change speak the page's language; the live quote of the header moves the last
// bar; a signed-in user's alert levels and watchlist targets are price lines, and dragging an alert's line edits it.
// Indicators (Analytics' /analytics/chart/{ticker}): SMA/EMA/Bollinger overlays and volume/RSI/MACD panes, as chosen.
import { createChart, CandlestickSeries, LineSeries, HistogramSeries, ColorType, LineStyle, TickMarkType } from 'lightweight-charts';
import { DAILY_RANGES, loadChoices, bindControls, fetchIndicators, fillTable, query } from './chart-indicators.js';

const STORE = 'mw.chart';
const PRICE_CONDITIONS = ['PriceAbove', 'PriceBelow', 'CrossesUp', 'CrossesDown', 'CrossesEither', 'EntersChannel', 'ExitsChannel'];

function colors() {
  const style = getComputedStyle(document.documentElement);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--muted'), grid: read('--border'), up: read('--up'), down: read('--down'), line: read('--brand'),
    compare: read('--chart-compare', '#7b5cd6'), alert: read('--chart-alert', '#c77700'), target: read('--chart-target', '#2f7fc1'),
    sma: read('--ind-sma', '#d97706'), ema: read('--ind-ema', '#2563eb'), bb: read('--ind-bb', '#7c3aed'),
    rsi: read('--ind-rsi', '#7c3aed'), macd: read('--ind-macd', '#2563eb'), signal: read('--ind-signal', '#d97706'),
  };
}

function remembered() {
  try { return JSON.parse(localStorage.getItem(STORE) || '{}') || {}; } catch { return {}; }
}

function remember(state) {
  try { localStorage.setItem(STORE, JSON.stringify(state)); } catch { /* private mode: not remembered */ }
}

// Numbers the way the server's Format does: Morocco's conventions for fr and ar (fr-MA, ar-MA), Latin digits.
function formats(lang) {
  const locale = lang === 'en' ? 'en' : `${lang}-MA`;
  const number = (digits) => new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, numberingSystem: 'latn' });
  const price = number(2);
  const count = number(0);
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1, numberingSystem: 'latn' });
  const signed = (v, text) => (v > 0 ? '+' : '') + text;
  const date = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC', numberingSystem: 'latn' });
  const dateTime = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC', numberingSystem: 'latn' });
  const parts = price.formatToParts(12345.6);
  const group = parts.find((p) => p.type === 'group')?.value ?? ',';
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  const axis = {
    [TickMarkType.Year]: new Intl.DateTimeFormat(locale, { year: 'numeric', timeZone: 'UTC', numberingSystem: 'latn' }),
    [TickMarkType.Month]: new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' }),
    [TickMarkType.DayOfMonth]: new Intl.DateTimeFormat(locale, { day: 'numeric', timeZone: 'UTC', numberingSystem: 'latn' }),
    [TickMarkType.Time]: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC', numberingSystem: 'latn' }),
    [TickMarkType.TimeWithSeconds]: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'UTC', numberingSystem: 'latn' }),
  };
  return {
    locale,
    price: (v) => price.format(v),
    count: (v) => count.format(v),
    compact: (v) => compact.format(v),
    change: (v) => signed(v, price.format(v)),
    percent: (v) => signed(v, price.format(v)) + '\u00a0%',
    when: (seconds, intraday) => (intraday ? dateTime : date).format(new Date(seconds * 1000)),
    tick: (seconds, type) => (axis[type] ?? date).format(new Date(seconds * 1000)),
    // "1.234,56" (fr-MA) or "1,234.56" (en) back to a number.
    parse: (text) => {
      const plain = text.replace(/[\s\u00a0\u202f\u200e\u200f]/g, '').split(group).join('').replace(decimal, '.');
      const value = Number.parseFloat(plain);
      return Number.isFinite(value) ? value : null;
    },
  };
}

function antiforgeryToken() {
  try {
    const config = JSON.parse(document.querySelector('meta[name="htmx-config"]')?.content || '{}');
    if (config.antiForgery?.requestToken) return config.antiForgery.requestToken;
  } catch { /* fall through */ }
  return window.htmx?.config?.antiForgery?.requestToken ?? document.querySelector('input[name="__RequestVerificationToken"]')?.value ?? '';
}

function ltr(text) {
  const span = document.createElement('bdi');
  span.dir = 'ltr';
  span.textContent = text;
  return span;
}

function start() {
  const container = document.getElementById('chart');
  if (!container) return;
  const d = container.dataset;
  const status = document.getElementById('chart-status');
  const readout = document.getElementById('chart-readout');
  // The bar under the crosshair (null when the pointer is off the chart): live ticks and redraws keep showing it.
  let hovered = null;
  const rangeChange = document.getElementById('chart-range-change');
  const comparePicker = document.getElementById('chart-compare');
  const ticker = d.ticker;
  const saved = remembered();
  const rangeButtons = [...document.querySelectorAll('button[data-range]')];
  const typeButtons = [...document.querySelectorAll('button[data-type]')];
  let range = rangeButtons.some((b) => b.dataset.range === saved.range) ? saved.range : (d.range || '3M');
  let type = saved.type === 'line' ? 'line' : 'candles';
  let compare = comparePicker && [...comparePicker.options].some((o) => o.value === saved.compare) ? saved.compare || '' : '';
  let request = 0;
  let interval = '1d';

  const c = colors();
  const f = formats(document.documentElement.lang || 'en');
  const percentFormatter = (v) => f.percent(v);
  const chart = createChart(container, {
    autoSize: true,
    localization: { locale: f.locale, priceFormatter: (p) => f.price(p), timeFormatter: (t) => f.when(t, interval.endsWith('m')) },
    // The TradingView logo would inject a <style> element (blocked by the CSP): the page credits it in text instead.
    layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: c.text, attributionLogo: false },
    grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
    // Room at the top for the readout that lies over the chart.
    rightPriceScale: { borderVisible: false, scaleMargins: { top: 0.22, bottom: 0.08 } },
    timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false, tickMarkFormatter: (t, kind) => f.tick(t, kind) },
  });
  const choices = loadChoices();
  let indicators = null; // the last /analytics/chart answer for this range (null: none asked or intraday)
  let extra = []; // overlay and pane series, rebuilt on every draw
  let volume = null;
  let prices = null;
  let second = null;
  let bars = [];
  let compareBars = [];
  let levels = []; // { kind: 'alert' | 'target', price, alert?, line }
  let dragging = null;

  // In compare mode both series are percent changes from the range's first close.
  const scale = (value, base) => (compare ? (value / base - 1) * 100 : value);

  function priceBar(b, base) {
    return type === 'candles'
      ? { time: b.time, open: scale(b.open, base), high: scale(b.high, base), low: scale(b.low, base), close: scale(b.close, base) }
      : { time: b.time, value: scale(b.close, base) };
  }

  function draw(announce = true) {
    for (const series of extra) chart.removeSeries(series);
    extra = [];
    volume = null;
    if (prices) chart.removeSeries(prices);
    if (second) chart.removeSeries(second);
    second = null;
    const base = bars[0]?.close || 1;
    const format = compare ? { type: 'custom', formatter: percentFormatter, minMove: 0.01 } : { type: 'custom', formatter: (p) => f.price(p), minMove: 0.01 };
    prices = type === 'candles'
      ? chart.addSeries(CandlestickSeries, { upColor: c.up, downColor: c.down, wickUpColor: c.up, wickDownColor: c.down, borderVisible: false, priceFormat: format, title: compare ? ticker : '' })
      : chart.addSeries(LineSeries, { color: c.line, lineWidth: 2, priceFormat: format, title: compare ? ticker : '' });
    prices.setData(bars.map((b) => priceBar(b, base)));
    drawIndicators(base, format);
    if (compare && compareBars.length > 0) {
      const otherBase = compareBars[0].close || 1;
      second = chart.addSeries(LineSeries, { color: c.compare, lineWidth: 2, priceFormat: format, title: compare });
      second.setData(compareBars.map((b) => ({ time: b.time, value: scale(b.close, otherBase) })));
    }
    if (announce) chart.timeScale().fitContent();
    d.points = String(bars.length);
    d.loadedRange = range;
    d.type = type;
    d.compare = second ? compare : '';
    d.comparePoints = String(second ? compareBars.length : 0);
    drawLevels();
    showRangeChange(announce);
    showReadout(hovered);
  }

  // --- indicators: overlays on the prices (rebased like them in compare mode), then one pane each for volume, RSI, MACD ---
  const quiet = { lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false };
  const points = (times, values, map = (v) => v) => times.map((time, i) => (values[i] == null ? { time } : { time, value: map(values[i]) }));
  const number = (v) => f.price(v);

  function drawIndicators(base, format) {
    const daily = DAILY_RANGES.includes(range) && interval === '1d';
    const data = daily ? indicators : null;
    const legend = [];
    const columns = [{ name: d.textDate }, { name: d.textClose, values: [], format: (v) => f.price(v) }];
    const times = data?.times ?? [];
    if (data) columns[1].values = data.closes;
    const line = (pane, color, values, { map, ...options } = {}) => {
      const series = chart.addSeries(LineSeries, { color, lineWidth: 1, ...quiet, ...options }, pane);
      series.setData(points(times, values, map));
      extra.push(series);
      return series;
    };
    for (const overlay of data?.overlays ?? []) {
      const scaled = { priceFormat: format, map: (v) => scale(v, base) };
      if (overlay.kind === 'bb') {
        const name = d.textBb.replace('{0}', overlay.period).replace('{1}', f.count(overlay.k));
        line(0, c.bb, overlay.upper, { ...scaled, lineStyle: LineStyle.Dashed });
        line(0, c.bb, overlay.values, { ...scaled, lineStyle: LineStyle.Dotted });
        line(0, c.bb, overlay.lower, { ...scaled, lineStyle: LineStyle.Dashed });
        legend.push({ key: 'bb', name });
        columns.push({ name: `${name} ↑`, values: overlay.upper }, { name: `${name} ↓`, values: overlay.lower });
      } else {
        const name = (overlay.kind === 'sma' ? d.textSma : d.textEma).replace('{0}', overlay.period);
        line(0, c[overlay.kind], overlay.values, { ...scaled, lineWidth: 2 });
        legend.push({ key: overlay.kind, name });
        columns.push({ name, values: overlay.values });
      }
    }
    let pane = 1;
    if (choices.volume) {
      volume = chart.addSeries(HistogramSeries, { priceFormat: { type: 'custom', formatter: (v) => f.compact(v) }, ...quiet }, pane++);
      volume.setData(bars.map((b) => ({ time: b.time, value: b.volume, color: b.close >= b.open ? c.up + '88' : c.down + '88' })));
      extra.push(volume);
      legend.push({ key: 'volume', name: d.textVolume, pane: true });
    }
    for (const p of data?.panes ?? []) {
      if (p.kind === 'rsi') {
        const name = d.textRsi.replace('{0}', p.parameters[0]);
        const series = line(pane++, c.rsi, p.values, {
          lineWidth: 2, priceFormat: { type: 'custom', formatter: number, minMove: 0.01 },
          autoscaleInfoProvider: () => ({ priceRange: { minValue: 0, maxValue: 100 } }),
        });
        for (const level of p.levels) series.createPriceLine({ price: level, color: c.text, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: '' });
        legend.push({ key: 'rsi', name, pane: true });
        columns.push({ name, values: p.values });
      } else if (p.kind === 'macd') {
        const name = d.textMacd.replace('{0}', p.parameters[0]).replace('{1}', p.parameters[1]).replace('{2}', p.parameters[2]);
        const at = pane++;
        const histogram = chart.addSeries(HistogramSeries, { ...quiet, priceFormat: { type: 'custom', formatter: number, minMove: 0.01 } }, at);
        histogram.setData(times.map((time, i) => (p.histogram[i] == null ? { time } : { time, value: p.histogram[i], color: p.histogram[i] >= 0 ? c.up + '99' : c.down + '99' })));
        extra.push(histogram);
        line(at, c.macd, p.values, { lineWidth: 2, priceFormat: { type: 'custom', formatter: number, minMove: 0.01 } });
        line(at, c.signal, p.signal, { priceFormat: { type: 'custom', formatter: number, minMove: 0.01 } });
        legend.push({ key: 'macd', name, pane: true });
        columns.push({ name, values: p.values }, { name: d.textSignal, values: p.signal }, { name: d.textHistogram, values: p.histogram });
      }
    }
    const panes = chart.panes();
    panes.forEach((p, i) => p.setStretchFactor(i === 0 ? 3 : 1));
    container.classList.remove('chart-panes-1', 'chart-panes-2', 'chart-panes-3');
    if (panes.length > 1) container.classList.add(`chart-panes-${Math.min(3, panes.length - 1)}`);
    d.overlays = (data?.overlays ?? []).map((o) => o.key).join(',');
    // The last session's value of each overlay and pane line as drawn (today's at the live price once it trades).
    d.indicatorLast = JSON.stringify(Object.fromEntries([...(data?.overlays ?? []), ...(data?.panes ?? []).filter((p) => p.kind !== 'volume')]
      .map((o) => [o.key, o.values[o.values.length - 1] ?? null])));
    d.panes = legend.filter((l) => l.pane).map((l) => l.key).join(',');
    d.paneCount = String(panes.length);
    // The panes in words: the figure's name, a legend, and the values as a table.
    const names = legend.map((l) => l.name);
    container.setAttribute('aria-label', names.length ? `${d.textChartName}: ${names.join(', ')}` : d.textChartName);
    const list = document.getElementById('chart-legend');
    if (list) {
      list.replaceChildren(...legend.map((l) => {
        const li = document.createElement('li');
        li.className = `legend-${l.key}`;
        li.textContent = l.name;
        return li;
      }));
      list.hidden = legend.length === 0;
    }
    const tableBox = document.getElementById('chart-table-box');
    if (tableBox) {
      tableBox.hidden = !data || columns.length <= 2;
      if (!tableBox.hidden) fillTable(document.getElementById('chart-table'), columns, times, (t) => f.when(t, false), number);
    }
    const note = document.getElementById('chart-indicators-note');
    if (note) note.textContent = query(choices).any && !daily ? d.textDailyOnly : '';
  }

  // --- readout: the hovered bar (or the last one), with its change against the previous close ---
  function showReadout(time) {
    if (!readout) return;
    let index = bars.length - 1;
    if (time != null) {
      const found = bars.findIndex((b) => b.time === time);
      if (found >= 0) index = found;
    }
    readout.replaceChildren();
    const bar = bars[index];
    if (!bar) return;
    const previous = index > 0 ? bars[index - 1].close : null;
    const item = (label, value, cls) => {
      const part = document.createElement('span');
      part.className = 'readout-item' + (cls ? ' ' + cls : '');
      const name = document.createElement('span');
      name.className = 'muted';
      name.textContent = label + ' ';
      part.append(name, value instanceof Node ? value : ltr(value));
      readout.append(part);
    };
    const when = document.createElement('span');
    when.className = 'readout-item readout-date';
    when.textContent = f.when(bar.time, interval.endsWith('m'));
    readout.append(when);
    item(d.textOpen, f.price(bar.open));
    item(d.textHigh, f.price(bar.high));
    item(d.textLow, f.price(bar.low));
    item(d.textClose, f.price(bar.close));
    item(d.textVolume, f.count(bar.volume));
    if (previous) {
      const delta = bar.close - previous;
      item(d.textChange, `${f.change(delta)} (${f.percent(delta / previous * 100)})`, delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat');
    }
    readout.dataset.time = String(bar.time);
  }

  chart.subscribeCrosshairMove((param) => {
    hovered = param.time ?? null;
    showReadout(hovered);
  });

  // --- change over the selected range, shown and (politely, once per load) announced ---
  function rangeLabel() {
    return rangeButtons.find((b) => b.dataset.range === range)?.dataset.long ?? range;
  }

  // announce: only when the user loaded a range or a compare, not on every tick (a polite live region, not a chatty one).
  function showRangeChange(announce = true) {
    if (!rangeChange) return;
    rangeChange.replaceChildren();
    if (bars.length < 2) { if (announce) status.textContent = bars.length === 0 ? d.empty : ''; return; }
    const first = bars[0].open || bars[0].close;
    const last = bars[bars.length - 1].close;
    const percent = (last / first - 1) * 100;
    const value = ltr(f.percent(percent));
    value.className = percent > 0 ? 'up' : percent < 0 ? 'down' : 'flat';
    const [before, after] = d.textOver.split('{0}');
    rangeChange.append(value, (after ?? '').replace('{1}', rangeLabel()));
    if (before) rangeChange.prepend(before);
    let summary = `${ticker}: ${f.percent(percent)} ${(after ?? '').replace('{1}', rangeLabel()).trim()}, ${d.textClose} ${f.price(last)}`;
    if (second && compareBars.length > 1) {
      const other = (compareBars[compareBars.length - 1].close / compareBars[0].close - 1) * 100;
      const note = document.createElement('span');
      note.className = 'muted';
      note.append(` · ${compare} `, ltr(f.percent(other)));
      rangeChange.append(note);
      summary += ` · ${compare} ${f.percent(other)}`;
    }
    rangeChange.dataset.percent = percent.toFixed(2);
    if (announce) status.textContent = summary;
  }

  async function history(of) {
    // Indicators are daily: 5 years of daily bars (not weekly) when some are chosen.
    const daily = range === '5Y' && query(choices).any ? '&interval=1d' : '';
    const url = of === 'MASI'
      ? `/api/market/indices/MASI/history?range=${range}${daily}`
      : `/api/market/history/${encodeURIComponent(of)}?range=${range}${daily}`;
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  // --- indicator lines follow the live price: today's point is the live quote, so while quotes move the lines are read
  // again (the server keeps the closed bars: only the computation runs), at most every INDICATOR_REFRESH_MS; the
  // zoom, the readout and the live region are left as they are ---
  const INDICATOR_REFRESH_MS = 15000;
  let indicatorTimer = 0;
  function refreshIndicatorsSoon() {
    if (indicatorTimer || !indicators || interval !== '1d') return;
    indicatorTimer = window.setTimeout(async () => {
      indicatorTimer = 0;
      const id = request;
      try {
        const computed = await fetchIndicators(ticker, range, choices);
        if (id !== request || dragging || !computed) return; // a newer range or choice, or an alert line held
        indicators = computed;
        const visible = chart.timeScale().getVisibleLogicalRange();
        draw(false);
        if (visible) chart.timeScale().setVisibleLogicalRange(visible);
      } catch {
        // Offline or the server restarting: the next quote tries again.
      }
    }, INDICATOR_REFRESH_MS);
  }

  async function load() {
    const id = ++request;
    container.setAttribute('aria-busy', 'true');
    try {
      let failed = false;
      const [data, other, computed] = await Promise.all([
        history(ticker), compare ? history(compare).catch(() => null) : null,
        fetchIndicators(ticker, range, choices).catch(() => { failed = true; return null; }),
      ]);
      if (id !== request) return; // a newer range was asked for meanwhile
      bars = data.bars;
      interval = data.interval;
      compareBars = other?.bars ?? [];
      indicators = computed;
      draw();
      if (failed) status.textContent = d.textIndicatorsError;
      if (bars.length === 0) status.textContent = d.empty;
    } catch {
      if (id === request) status.textContent = d.error;
    } finally {
      if (id === request) container.removeAttribute('aria-busy');
    }
  }

  function save() {
    remember({ range, type, compare });
  }

  function press(buttons, active) {
    buttons.forEach((b) => b.setAttribute('aria-pressed', String(b === active)));
  }

  rangeButtons.forEach((button) => {
    button.addEventListener('click', () => {
      range = button.dataset.range;
      press(rangeButtons, button);
      save();
      load();
    });
  });
  typeButtons.forEach((button) => {
    button.addEventListener('click', () => {
      type = button.dataset.type;
      press(typeButtons, button);
      save();
      draw();
    });
  });
  comparePicker?.addEventListener('change', () => {
    compare = comparePicker.value;
    save();
    load();
  });
  press(rangeButtons, rangeButtons.find((b) => b.dataset.range === range));
  press(typeButtons, typeButtons.find((b) => b.dataset.type === type));
  if (comparePicker) comparePicker.value = compare;
  bindControls(choices, () => load());

  // --- the header's live price moves the last bar, so chart and header agree ---
  // The live source is replaced by a fresh element when the tab is hidden or shown again: observe the new one.
  const observer = new MutationObserver(() => requestAnimationFrame(follow));
  const watch = (block) => { observer.disconnect(); if (block) observer.observe(block, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-time'] }); };
  document.addEventListener('mw:live-source', (e) => watch(e.target));
  function follow() {
    const el = document.getElementById(`price-${ticker}`);
    const last = el?.querySelector('[data-testid="last"]');
    const price = last ? f.parse(last.textContent) : null;
    const ms = Number(el?.dataset.time);
    // The quote's time on the exchange's wall clock, stamped by the server as the bars are (not with the browser's
    // own time-zone data, which may place it on another day).
    const at = Number(el?.dataset.exchangeTime);
    if (price == null || !Number.isFinite(ms) || ms <= 0 || !Number.isFinite(at) || at <= 0 || bars.length === 0) return;
    const lastBar = bars[bars.length - 1];
    let bucket;
    if (interval.endsWith('m')) {
      const size = Number.parseInt(interval, 10) * 60;
      bucket = Math.floor(at / size) * size;
    } else if (interval === '1d') {
      bucket = Math.floor(at / 86400) * 86400;
    } else {
      bucket = lastBar.time; // weekly bars: the quote belongs to the last week
    }
    if (bucket < lastBar.time) return;
    if (bucket > lastBar.time) {
      bars.push({ time: bucket, open: price, high: price, low: price, close: price, volume: 0 });
    } else {
      lastBar.close = price;
      lastBar.high = Math.max(lastBar.high, price);
      lastBar.low = Math.min(lastBar.low, price);
    }
    const bar = bars[bars.length - 1];
    const base = bars[0].close || 1;
    prices.update(priceBar(bar, base));
    d.last = price.toFixed(2);
    d.quoteTime = String(ms); // the live quote the chart has taken in
    showRangeChange(false);
    refreshIndicatorsSoon();
    showReadout(hovered);
  }
  watch(document.querySelector('[data-live-source]'));

  // --- the signed-in user's alert levels and watchlist targets as price lines ---
  function drawLevels() {
    for (const level of levels) level.line = null;
    if (compare || !prices) { d.alertLines = '0'; d.targetLines = '0'; return; }
    for (const level of levels) {
      const isAlert = level.kind === 'alert';
      level.line = prices.createPriceLine({
        price: level.price, color: isAlert ? c.alert : c.target, lineWidth: isAlert ? 2 : 1,
        lineStyle: isAlert ? LineStyle.Dashed : LineStyle.Dotted, axisLabelVisible: true, title: level.title,
      });
    }
    listLevels();
    d.alertLines = String(levels.filter((l) => l.kind === 'alert').length);
    d.targetLines = String(levels.filter((l) => l.kind === 'target').length);
  }

  // The lines in words, each alert with its edit link: the keyboard's (and a screen reader's) way to the same levels.
  function listLevels() {
    const list = document.getElementById('chart-levels');
    if (!list) return;
    list.replaceChildren(...levels.map((level) => {
      const li = document.createElement('li');
      li.className = level.kind === 'alert' ? 'level-alert' : 'level-target';
      if (level.kind === 'alert') {
        const link = document.createElement('a');
        link.href = `/alerts/${level.alert.id}/edit`;
        link.textContent = d.textEditAlert.replace('{0}', f.price(level.price));
        li.append(link);
      } else {
        li.append(`${level.title}: `, ltr(f.price(level.price)));
      }
      return li;
    }));
    list.hidden = levels.length === 0;
  }

  async function json(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  async function loadLevels() {
    if (d.signedIn !== 'true') return;
    const found = [];
    try {
      const alerts = await json('/api/alerts?status=All');
      for (const alert of alerts) {
        if (alert.ticker !== ticker || !PRICE_CONDITIONS.includes(alert.condition) || alert.status === 'Expired') continue;
        if (alert.level != null) found.push({ kind: 'alert', price: alert.level, alert, field: 'level', title: d.textAlert });
        if (alert.level2 != null) found.push({ kind: 'alert', price: alert.level2, alert, field: 'level2', title: d.textAlert });
      }
    } catch { /* alerts unavailable: no lines */ }
    try {
      const lists = await json('/api/watchlists');
      for (const list of lists.filter((l) => l.itemCount > 0)) {
        const items = await json(`/api/watchlists/${list.id}/items`);
        const item = items.find((i) => i.ticker === ticker && i.targetPrice != null);
        if (item) found.push({ kind: 'target', price: item.targetPrice, title: `${d.textTarget} · ${list.name}` });
      }
    } catch { /* watchlists unavailable: no lines */ }
    levels = found;
    drawLevels();
  }

  // What the chart's own formatters print (its axes are drawn on a canvas): for tests and for debugging in a console.
  container.chartLabels = () => ({
    price: prices?.priceFormatter().format(220) ?? null,
    volume: volume?.priceFormatter().format(20590) ?? f.compact(20590),
    month: chart.options().timeScale.tickMarkFormatter(Date.UTC(2026, 11, 1) / 1000, TickMarkType.Month, f.locale),
  });

  // Dragging an alert's line edits its level (after a confirmation); the alert's edit page is the keyboard way.
  container.chartCoordinate = (price) => prices?.priceToCoordinate(price) ?? null;
  const grab = (y) => levels.find((l) => l.kind === 'alert' && l.line && Math.abs((prices.priceToCoordinate(l.price) ?? -99) - y) <= 6);
  const yOf = (event) => event.clientY - container.getBoundingClientRect().top;

  container.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || compare || !prices) return;
    const level = grab(yOf(event));
    if (!level) return;
    event.preventDefault();
    event.stopPropagation();
    dragging = { level, from: level.price, pointer: event.pointerId };
    chart.applyOptions({ handleScroll: false, handleScale: false });
    container.setPointerCapture(event.pointerId);
    container.classList.add('chart-dragging');
  }, true);

  container.addEventListener('pointermove', (event) => {
    if (!dragging) {
      container.classList.toggle('chart-grab', !compare && !!prices && !!grab(yOf(event)));
      return;
    }
    const price = prices.coordinateToPrice(yOf(event));
    if (price == null || price <= 0) return;
    dragging.level.price = Math.round(price * 100) / 100;
    dragging.level.line.applyOptions({ price: dragging.level.price });
  }, true);

  async function drop() {
    if (!dragging) return;
    const { level, from, pointer } = dragging;
    dragging = null;
    if (container.hasPointerCapture(pointer)) container.releasePointerCapture(pointer);
    chart.applyOptions({ handleScroll: true, handleScale: true });
    container.classList.remove('chart-dragging');
    if (level.price === from) return;
    const revert = () => { level.price = from; level.line?.applyOptions({ price: from }); };
    const question = d.textMoveAlert.replace('{0}', f.price(from)).replace('{1}', f.price(level.price));
    if (!window.confirm(question)) { revert(); return; }
    const a = level.alert;
    const input = {
      ticker: a.ticker, watchlistId: a.watchlistId, condition: a.condition, level: a.level, level2: a.level2, windowMinutes: a.windowMinutes,
      triggerMode: a.triggerMode, cooldownMinutes: a.cooldownMinutes, neverExpires: a.expiresAt == null,
      expiresOn: a.expiresAt == null ? null : expiryDay(a.expiresAt), channels: a.channels, note: a.note, sessionOnly: a.sessionOnly,
    };
    input[level.field] = level.price;
    try {
      const response = await fetch(`/api/alerts/${a.id}`, {
        method: 'PUT', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', RequestVerificationToken: antiforgeryToken() },
        body: JSON.stringify(input),
      });
      if (!response.ok) throw new Error(String(response.status));
      level.alert = await response.json();
      listLevels();
      status.textContent = d.textAlertMoved.replace('{0}', f.price(level.price));
    } catch {
      revert();
      status.textContent = d.textAlertNotMoved;
    }
  }
  container.addEventListener('pointerup', drop, true);
  container.addEventListener('pointercancel', drop, true);

  // The alert expires at the end of its last day in the user's zone: the form's "expires on" is that day.
  function expiryDay(expiresAt) {
    const zone = d.zone || 'Africa/Casablanca';
    const moment = new Date(new Date(expiresAt).getTime() - 1000);
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(moment);
  }

  load().then(loadLevels);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
