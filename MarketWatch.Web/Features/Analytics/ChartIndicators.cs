using System.Globalization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>An overlay drawn over the prices: <c>sma:N</c>, <c>ema:N</c> or <c>bb:N</c> / <c>bb:N:k</c> (Bollinger, k = 2 by default).</summary>
public sealed record OverlaySpec(string Kind, int Period, double K = 2)
{
    public string Key => Kind == "bb" ? $"bb:{Period}:{K.ToString(CultureInfo.InvariantCulture)}" : $"{Kind}:{Period}";
}

/// <summary>A pane under the prices: <c>volume</c>, <c>rsi</c> / <c>rsi:N</c> (14), <c>macd</c> / <c>macd:f:s:g</c> (12, 26, 9).</summary>
public sealed record PaneSpec(string Kind, int[] Parameters)
{
    public string Key => Parameters.Length == 0 ? Kind : $"{Kind}:{string.Join(':', Parameters)}";
}

/// <summary>A chart's indicators as the query string asks for them, or the fields it got wrong.</summary>
public sealed record ChartIndicatorRequest(string Range, IReadOnlyList<OverlaySpec> Overlays, IReadOnlyList<PaneSpec> Panes)
{
    /// <summary>The ranges drawn on daily bars (1D and 1W are minute bars: no daily indicator fits them).</summary>
    public static readonly IReadOnlyList<string> Ranges = ["1M", "3M", "6M", "1Y", "5Y"];
    public const int MinPeriod = 2;
    public const int MaxPeriod = 200;
    public const int MaxOverlays = 6;

    /// <summary>Parses <c>range</c>, <c>overlays</c> and <c>panes</c>; <paramref name="errors"/> names each bad field (RFC 7807's <c>errors</c>).</summary>
    public static ChartIndicatorRequest? Parse(string? range, string? overlays, string? panes, IStringLocalizer L, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var canonicalRange = Ranges.FirstOrDefault(r => string.Equals(r, range ?? "3M", StringComparison.OrdinalIgnoreCase));
        if (canonicalRange is null)
        {
            errors["range"] = [L["Indicators are drawn on daily bars: use one of {0}.", string.Join(", ", Ranges)]];
        }
        var overlayList = new List<OverlaySpec>();
        foreach (var part in Split(overlays))
        {
            var bits = part.Split(':');
            var kind = bits[0].ToLowerInvariant();
            OverlaySpec? spec = kind switch
            {
                "sma" or "ema" when bits.Length == 2 && Period(bits[1]) is { } n => new OverlaySpec(kind, n),
                "bb" when bits.Length is 1 or 2 or 3 && (bits.Length == 1 ? 20 : Period(bits[1])) is { } n
                          && (bits.Length < 3 ? 2 : Multiplier(bits[2])) is { } k => new OverlaySpec(kind, n, k),
                _ => null,
            };
            if (spec is null)
            {
                errors["overlays"] = [L["Unknown overlay {0}: use sma:N, ema:N or bb:N with N from {1} to {2}.", part, MinPeriod, MaxPeriod]];
                break;
            }
            if (overlayList.All(o => o.Key != spec.Key))
            {
                overlayList.Add(spec);
            }
        }
        if (overlayList.Count > MaxOverlays && !errors.ContainsKey("overlays"))
        {
            errors["overlays"] = [L["At most {0} overlays.", MaxOverlays]];
        }
        var paneList = new List<PaneSpec>();
        foreach (var part in Split(panes))
        {
            var bits = part.Split(':');
            var kind = bits[0].ToLowerInvariant();
            var numbers = bits.Skip(1).Select(Period).ToArray();
            PaneSpec? spec = kind switch
            {
                _ when numbers.Any(n => n is null) => null,
                "volume" when bits.Length == 1 => new PaneSpec(kind, []),
                "rsi" when bits.Length is 1 or 2 => new PaneSpec(kind, [bits.Length == 1 ? 14 : numbers[0]!.Value]),
                "macd" when bits.Length == 1 => new PaneSpec(kind, [12, 26, 9]),
                "macd" when bits.Length == 4 && numbers[0] < numbers[1] => new PaneSpec(kind, [.. numbers.Select(n => n!.Value)]),
                _ => null,
            };
            if (spec is null)
            {
                errors["panes"] = [L["Unknown pane {0}: use volume, rsi:N or macd:fast:slow:signal with periods from {1} to {2}.", part, MinPeriod, MaxPeriod]];
                break;
            }
            if (paneList.All(p => p.Kind != spec.Kind))
            {
                paneList.Add(spec);
            }
        }
        return errors.Count == 0 ? new ChartIndicatorRequest(canonicalRange!, overlayList, paneList) : null;

        static IEnumerable<string> Split(string? text) =>
            (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        static int? Period(string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= MinPeriod and <= MaxPeriod ? n : null;

        static double? Multiplier(string text) =>
            double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var k) && k is > 0 and <= 5 ? k : null;
    }
}

public sealed record OverlaySeries(string Key, string Kind, int Period, double? K, double?[] Values, double?[]? Upper, double?[]? Lower);

public sealed record PaneSeries(string Key, string Kind, int[] Parameters, double?[] Values, double?[]? Signal, double?[]? Histogram, double[] Levels);

/// <summary>
/// A chart's indicator series for its visible sessions (<see cref="Times"/>: the session's date at 00:00 UTC in seconds, as
/// the market history stamps daily bars), computed from <see cref="WarmupFrom"/> on so the first visible values are
/// defined. <see cref="Live"/>: the last point is today's session at the live price (today's close in every indicator).
/// </summary>
public sealed record ChartIndicatorsResponse(
    string Ticker, string Range, string Interval, DateOnly WarmupFrom, bool Live, long[] Times, double[] Closes,
    IReadOnlyList<OverlaySeries> Overlays, IReadOnlyList<PaneSeries> Panes);

/// <summary>The pure part of <c>/analytics/chart/{ticker}</c>: series from bars through the one library (<see cref="Indicators"/>).</summary>
public static class ChartIndicators
{
    /// <summary>Calendar days of history read before the visible range: ~500 sessions, enough for a 200-session average to settle.</summary>
    public const int WarmupDays = 730;

    /// <summary>The first visible date of a range on <paramref name="today"/> (the market history's own spans).</summary>
    public static DateOnly VisibleFrom(string range, DateOnly today) => today.AddDays(-(range switch
    {
        "1M" => 31, "3M" => 92, "6M" => 183, "1Y" => 366, _ => 5 * 366,
    }));

    /// <param name="bars">Closed sessions from the warm-up start on, oldest first, with today's live point appended when there is one.</param>
    public static ChartIndicatorsResponse Compute(string ticker, ChartIndicatorRequest request, InstrumentBars bars, DateOnly visibleFrom,
        DateOnly warmupFrom, bool live)
    {
        var closes = bars.Closes;
        var first = Array.FindIndex(bars.Dates, d => d >= visibleFrom);
        if (first < 0)
        {
            first = bars.Dates.Length;
        }
        var count = bars.Dates.Length - first;
        double?[] Visible(double?[] series) => series[first..];
        var overlays = request.Overlays.Select(o =>
        {
            if (o.Kind == "bb")
            {
                var bands = Indicators.Bollinger(closes, o.Period, o.K);
                return new OverlaySeries(o.Key, o.Kind, o.Period, o.K, Visible(bands.Middle), Visible(bands.Upper), Visible(bands.Lower));
            }
            var values = o.Kind == "sma" ? Indicators.Sma(closes, o.Period) : Indicators.Ema(closes, o.Period);
            return new OverlaySeries(o.Key, o.Kind, o.Period, null, Visible(values), null, null);
        }).ToList();
        var panes = request.Panes.Select(p =>
        {
            switch (p.Kind)
            {
                case "rsi":
                    return new PaneSeries(p.Key, p.Kind, p.Parameters, Visible(Indicators.Rsi(closes, p.Parameters[0])), null, null, [30, 70]);
                case "macd":
                    var macd = Indicators.Macd(closes, p.Parameters[0], p.Parameters[1], p.Parameters[2]);
                    return new PaneSeries(p.Key, p.Kind, p.Parameters, Visible(macd.Line), Visible(macd.Signal), Visible(macd.Histogram), [0]);
                default:
                    return new PaneSeries(p.Key, p.Kind, p.Parameters, [.. bars.Volumes[first..].Select(v => (double?)v)], null, null, []);
            }
        }).ToList();
        var times = new long[count];
        for (var i = 0; i < count; i++)
        {
            times[i] = new DateTimeOffset(bars.Dates[first + i].ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
        }
        return new ChartIndicatorsResponse(ticker, request.Range, "1d", warmupFrom, live && count > 0, times, closes[first..], overlays, panes);
    }
}
