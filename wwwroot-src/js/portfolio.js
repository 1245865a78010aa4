// A portfolio's performance chart: the portfolio's time-weighted growth and the MASI's over the same days, both as
// percent changes from the range's start (the report's indices are 100 there). The range buttons fetch the page's
// Performance handler and redraw in place; the figures of every range are in the table the server rendered.
import { createChart, LineSeries, ColorType, TickMarkType } from 'lightweight-charts';

function colors() {
  const style = getComputedStyle(document.documentElement);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return { text: read('--muted', '#5b6472'), grid: read('--border', '#d9dde3'), portfolio: read('--chart-portfolio', '#0b6e4f'), masi: read('--chart-masi', '#6a4bc4') };
}

// Morocco's conventions for fr and ar (fr-MA, ar-MA) with Latin digits, as the server's Format writes them.
function formats(lang) {
  const locale = lang === 'en' ? 'en' : `${lang}-MA`;
  const number = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2, numberingSystem: 'latn' });
  const date = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC', numberingSystem: 'latn' });
  const axis = {
    [TickMarkType.Year]: new Intl.DateTimeFormat(locale, { year: 'numeric', timeZone: 'UTC', numberingSystem: 'latn' }),
    [TickMarkType.Month]: new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' }),
    [TickMarkType.DayOfMonth]: new Intl.DateTimeFormat(locale, { day: 'numeric', timeZone: 'UTC', numberingSystem: 'latn' }),
  };
  const toDate = (t) => (typeof t === 'string' ? new Date(t + 'T00:00:00Z') : typeof t === 'number' ? new Date(t * 1000) : new Date(Date.UTC(t.year, t.month - 1, t.day)));
  return {
    locale,
    percent: (v) => (v > 0 ? '+' : '') + number.format(v) + '\u00a0%',
    when: (t) => date.format(toDate(t)),
    tick: (t, kind) => (axis[kind] ?? date).format(toDate(t)),
  };
}

// "{0}: this portfolio {1}, MASI {2}" with its placeholders filled.
const fill = (template, ...values) => template.replace(/\{(\d)\}/g, (_, i) => values[Number(i)] ?? '');

function start() {
  const container = document.getElementById('perf-chart');
  if (!container) return;
  const d = container.dataset;
  const status = document.getElementById('perf-status');
  const readout = document.getElementById('perf-readout');
  const buttons = [...document.querySelectorAll('button[data-perf-range]')];
  const c = colors();
  const f = formats(document.documentElement.lang || 'en');
  const chart = createChart(container, {
    autoSize: true,
    localization: { locale: f.locale, priceFormatter: (v) => f.percent(v), timeFormatter: (t) => f.when(t) },
    // The TradingView logo would inject a <style> element (blocked by the CSP): the page credits it in text instead.
    layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: c.text, attributionLogo: false },
    grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
    rightPriceScale: { borderVisible: false, scaleMargins: { top: 0.1, bottom: 0.08 } },
    timeScale: { borderVisible: false, tickMarkFormatter: (t, kind) => f.tick(t, kind) },
  });
  const format = { type: 'custom', formatter: (v) => f.percent(v), minMove: 0.01 };
  const masi = chart.addSeries(LineSeries, { color: c.masi, lineWidth: 2, priceFormat: format, title: d.textMasi || 'MASI' });
  const portfolio = chart.addSeries(LineSeries, { color: c.portfolio, lineWidth: 2, priceFormat: format, title: d.textPortfolio || '' });
  let request = 0;

  async function load(range) {
    const mine = ++request;
    buttons.forEach((b) => b.setAttribute('aria-pressed', b.dataset.perfRange === range ? 'true' : 'false'));
    container.setAttribute('aria-busy', 'true');
    try {
      const url = new URL(d.url, window.location.href);
      url.searchParams.set('range', range);
      const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) throw new Error(String(response.status));
      const report = await response.json();
      if (mine !== request) return;
      const series = report.series || [];
      portfolio.setData(series.map((p) => ({ time: p.date, value: Number(p.portfolioIndex) - 100 })));
      masi.setData(series.filter((p) => p.masiIndex !== null && p.masiIndex !== undefined).map((p) => ({ time: p.date, value: Number(p.masiIndex) - 100 })));
      chart.timeScale().fitContent();
      container.dataset.range = range;
      container.dataset.points = String(series.length);
      const figures = report.figures || {};
      const label = buttons.find((b) => b.dataset.perfRange === range)?.dataset.long || range;
      // Signed figures keep their order in right-to-left text (a left-to-right isolate, as the server's Format does).
      const rtl = document.documentElement.dir === 'rtl';
      const pct = (v) => (v === null || v === undefined ? '—' : (rtl ? '\u2066' : '') + f.percent(Number(v) * 100) + (rtl ? '\u2069' : ''));
      readout.textContent = series.length < 2 ? '' : fill(d.textReadout || '{0}: {1} / {2}', label, pct(figures.twr), pct(figures.masiTwr));
      status.textContent = series.length < 2 ? d.textEmpty || '' : '';
    } catch {
      if (mine !== request) return;
      status.textContent = d.textError || '';
    } finally {
      if (mine === request) container.removeAttribute('aria-busy');
    }
  }

  buttons.forEach((b) => b.addEventListener('click', () => load(b.dataset.perfRange)));
  load(d.range || '1Y');
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
