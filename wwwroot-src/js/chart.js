// The instrument page's chart: lightweight-charts, fed by /api/market/history.
// Range and type buttons reload it; volume bars sit under the prices.
import { createChart, CandlestickSeries, LineSeries, HistogramSeries, ColorType } from 'lightweight-charts';

function colors() {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return { text: read('--muted'), grid: read('--border'), up: read('--up'), down: read('--down'), line: read('--brand') };
}

function start() {
  const container = document.getElementById('chart');
  if (!container) return;
  const status = document.getElementById('chart-status');
  const ticker = container.dataset.ticker;
  let range = container.dataset.range || '3M';
  let type = 'candles';
  let request = 0;

  const c = colors();
  // Dates on the chart in the page's language, with Morocco's conventions (as the server formats them).
  const lang = document.documentElement.lang || 'en';
  const chart = createChart(container, {
    autoSize: true,
    localization: { locale: lang === 'en' ? 'en' : `${lang}-MA` },
    layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: c.text },
    grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
    rightPriceScale: { borderVisible: false },
    timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false },
  });
  const volume = chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'volume' });
  chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  let prices = null;
  let bars = [];

  function draw() {
    if (prices) chart.removeSeries(prices);
    prices = type === 'candles'
      ? chart.addSeries(CandlestickSeries, { upColor: c.up, downColor: c.down, wickUpColor: c.up, wickDownColor: c.down, borderVisible: false })
      : chart.addSeries(LineSeries, { color: c.line, lineWidth: 2 });
    prices.setData(type === 'candles'
      ? bars.map((b) => ({ time: b.time, open: b.open, high: b.high, low: b.low, close: b.close }))
      : bars.map((b) => ({ time: b.time, value: b.close })));
    volume.setData(bars.map((b) => ({ time: b.time, value: b.volume, color: b.close >= b.open ? c.up + '66' : c.down + '66' })));
    chart.timeScale().fitContent();
    container.dataset.points = String(bars.length);
    container.dataset.loadedRange = range;
    container.dataset.type = type;
  }

  async function load() {
    const id = ++request;
    container.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(`/api/market/history/${encodeURIComponent(ticker)}?range=${range}`, { headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (id !== request) return; // a newer range was asked for meanwhile
      bars = data.bars;
      status.textContent = bars.length === 0 ? container.dataset.empty : '';
      draw();
    } catch {
      if (id === request) status.textContent = container.dataset.error;
    } finally {
      if (id === request) container.removeAttribute('aria-busy');
    }
  }

  document.querySelectorAll('[data-range]').forEach((button) => {
    if (button === container) return;
    button.addEventListener('click', () => {
      range = button.dataset.range;
      document.querySelectorAll('button[data-range]').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
      load();
    });
  });
  document.querySelectorAll('button[data-type]').forEach((button) => {
    button.addEventListener('click', () => {
      type = button.dataset.type;
      document.querySelectorAll('button[data-type]').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
      draw();
    });
  });
  load();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
