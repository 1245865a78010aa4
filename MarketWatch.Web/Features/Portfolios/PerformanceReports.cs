namespace MarketWatch.Web.Features.Portfolios;

/// <summary>The current session's figures that come from live prices, added to a series' closed sessions.</summary>
/// <param name="Value">The portfolio's value at the last prices.</param>
/// <param name="Flow">External flows of the transactions after the last closed session.</param>
/// <param name="MasiRatio">The computed MASI's move over the current session (1 when nothing traded yet).</param>
/// <param name="Inflow">The session's money in alone (≥ 0; Flow − Inflow is the money out): it counts from the session's start.</param>
public sealed record LivePoint(DateOnly Session, decimal Value, decimal Flow, double MasiRatio, decimal Inflow = 0);

/// <summary>Turns a <see cref="PerformanceSeries"/> plus the live point into the report: per range, O(sessions in it).</summary>
public static class PerformanceReports
{
    public static PerformanceReport Build(PerformanceSeries series, MarketHistory market, LivePoint live, PerformanceRange range, DateOnly today)
    {
        var view = new View(series, market, live);
        var ranges = PerformanceRanges.All.Select(r => view.Figures(r, today)).ToList();
        var figures = ranges[(int)range];
        return new PerformanceReport(range, view.Points(view.BaseOf(range, today)), figures, ranges);
    }

    /// <summary>An empty portfolio: no series, no figures.</summary>
    public static PerformanceReport Empty(PerformanceRange range, DateOnly session) =>
        new(range, [], new RangeFigures(range, session, session, null, null, null, null, null),
            PerformanceRanges.All.Select(r => new RangeFigures(r, session, session, null, null, null, null, null)).ToList());

    /// <summary>The closed sessions and the live one as one set of arrays (the live session last).</summary>
    private sealed class View
    {
        private readonly DateOnly[] _dates;
        private readonly decimal[] _value;
        private readonly decimal[] _flow;
        private readonly decimal[] _invested;
        private readonly double[] _return;
        private readonly double[] _growth;
        private readonly double?[] _masi;

        public View(PerformanceSeries s, MarketHistory market, LivePoint live)
        {
            var n = s.Days.Length;
            _dates = [.. s.Days, live.Session];
            _value = [.. s.Value, live.Value];
            _flow = [.. s.Flow, live.Flow];
            _invested = [.. s.Invested, (n == 0 ? 0 : s.Invested[^1]) + live.Flow];
            var r = PerformanceMath.DailyReturn(n == 0 ? 0 : s.Value[^1], live.Value, live.Inflow, live.Flow - live.Inflow);
            _return = [.. s.DailyReturn, r];
            _growth = [.. s.Growth, (n == 0 ? 1 : s.Growth[^1]) * (1 + r)];
            _masi = new double?[n + 1];
            for (var i = 0; i < n; i++)
            {
                _masi[i] = s.MarketIndex[i] >= 0 ? market.Masi[s.MarketIndex[i]] : null;
            }
            _masi[n] = market.Masi.Length > 0 ? market.Masi[^1] * live.MasiRatio : null;
        }

        private int End => _dates.Length - 1;

        public int BaseOf(PerformanceRange range, DateOnly today)
        {
            if (range == PerformanceRange.D1)
            {
                return Math.Max(0, End - 1);
            }
            if (range.StartOn(today) is not { } start)
            {
                return 0;
            }
            var i = Array.BinarySearch(_dates, start);
            var b = i >= 0 ? i : ~i - 1;
            return Math.Clamp(b, 0, Math.Max(0, End - 1));
        }

        public RangeFigures Figures(PerformanceRange range, DateOnly today)
        {
            var b = BaseOf(range, today);
            var end = End;
            var twr = _growth[b] > 0 ? _growth[end] / _growth[b] - 1 : (double?)null;
            var masi = _masi[b] is { } mb && mb > 0 && _masi[end] is { } me ? me / mb - 1 : (double?)null;
            var flows = new List<(DateOnly, double)>();
            if (_value[b] != 0)
            {
                flows.Add((_dates[b], -(double)_value[b]));
            }
            for (var i = b + 1; i <= end; i++)
            {
                if (_flow[i] != 0)
                {
                    flows.Add((_dates[i], -(double)_flow[i]));
                }
            }
            flows.Add((_dates[end], (double)_value[end]));
            return new RangeFigures(range, _dates[b], _dates[end],
                PerformanceMath.ToFraction(twr),
                PerformanceMath.ToFraction(PerformanceMath.MoneyWeighted(flows, _dates[b], _dates[end])),
                PerformanceMath.ToFraction(masi),
                PerformanceMath.ToFraction(PerformanceMath.MaxDrawdown(_growth.AsSpan(b, end - b + 1))),
                PerformanceMath.ToFraction(PerformanceMath.Volatility(_return.AsSpan(b + 1, end - b))));
        }

        public IReadOnlyList<PerformancePoint> Points(int b)
        {
            var points = new List<PerformancePoint>(_dates.Length - b);
            for (var i = b; i < _dates.Length; i++)
            {
                points.Add(new PerformancePoint(_dates[i], Math.Round(_value[i], 2), Math.Round(_invested[i], 2),
                    _growth[b] > 0 ? PerformanceMath.ToFraction(100 * _growth[i] / _growth[b]) ?? 0 : 100,
                    _masi[b] is { } mb && mb > 0 && _masi[i] is { } m ? PerformanceMath.ToFraction(100 * m / mb) : null));
            }
            return points;
        }
    }
}
