using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market.Calendar;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>
/// One condition asked about one tick: what the user set, what the market did, whether it should fire. Indicator
/// conditions also give the closed sessions' closes (oldest first, each with <see cref="BarVolume"/> shares) and N.
/// </summary>
public sealed record AlertScenario(
    AlertCondition Condition, decimal? Level, decimal? Previous, decimal Last, bool Fires,
    decimal? Level2 = null, decimal Change = 0, long Volume = 0, int? Window = null,
    (decimal Low, decimal High)? Range = null, decimal? YearHigh = null, decimal? YearLow = null,
    double[]? Closes = null, int? Period = null, long BarVolume = 1000)
{
    private static readonly DateTimeOffset Morning = new(2026, 6, 10, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The indicator states the closes make, the last closed session being the day before the tick's.</summary>
    public InstrumentIndicators? Indicators(DateTimeOffset tickTime) => Closes is null ? null
        : new InstrumentIndicators(ExchangeCalendar.ExchangeDate(tickTime).AddDays(-1), Closes, Closes.Select(_ => (double)BarVolume).ToArray());

    public override string ToString() =>
        $"{Condition} level {Level?.ToString() ?? "-"}{(Level2 is null ? "" : $"..{Level2}")}: {Previous?.ToString() ?? "none"} -> {Last}" +
        (Change != 0 ? $" ({Change}%)" : "") + (Volume != 0 ? $" vol {Volume}" : "") +
        (Range is { } r ? $" window {Window}min [{r.Low}, {r.High}]" : "") +
        (YearHigh is null && YearLow is null ? "" : $" year [{YearLow}, {YearHigh}]") +
        (Period is null ? "" : $" N {Period}") + (Closes is null ? "" : $" {Closes.Length} closes ending {Closes[^1]}") +
        (Fires ? " fires" : " does not fire");

    /// <summary>The in-memory rules' answer (<see cref="AlertRules.Holds"/>) and the value they measured.</summary>
    public bool Holds(out decimal? value, List<int>? windowsAsked = null)
    {
        var tick = new MarketTick(1, Last, Change, Volume, Morning);
        var context = new TickContext(YearHigh, YearLow, minutes =>
        {
            windowsAsked?.Add(minutes);
            return Range;
        }, Indicators(Morning));
        return AlertRules.Holds(Condition, Level, Level2, Window, Previous, tick, context, out value, Period);
    }
}
