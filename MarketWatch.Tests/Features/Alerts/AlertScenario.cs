using MarketWatch.Web.Features.Alerts;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>One condition asked about one tick: what the user set, what the market did, whether it should fire.</summary>
public sealed record AlertScenario(
    AlertCondition Condition, decimal? Level, decimal? Previous, decimal Last, bool Fires,
    decimal? Level2 = null, decimal Change = 0, long Volume = 0, int? Window = null,
    (decimal Low, decimal High)? Range = null, decimal? YearHigh = null, decimal? YearLow = null)
{
    private static readonly DateTimeOffset Morning = new(2026, 6, 10, 10, 0, 0, TimeSpan.Zero);

    public override string ToString() =>
        $"{Condition} level {Level?.ToString() ?? "-"}{(Level2 is null ? "" : $"..{Level2}")}: {Previous?.ToString() ?? "none"} -> {Last}" +
        (Change != 0 ? $" ({Change}%)" : "") + (Volume != 0 ? $" vol {Volume}" : "") +
        (Range is { } r ? $" window {Window}min [{r.Low}, {r.High}]" : "") +
        (YearHigh is null && YearLow is null ? "" : $" year [{YearLow}, {YearHigh}]") +
        (Fires ? " fires" : " does not fire");

    /// <summary>The in-memory rules' answer (<see cref="AlertRules.Holds"/>) and the value they measured.</summary>
    public bool Holds(out decimal? value, List<int>? windowsAsked = null)
    {
        var tick = new MarketTick(1, Last, Change, Volume, Morning);
        var context = new TickContext(YearHigh, YearLow, minutes =>
        {
            windowsAsked?.Add(minutes);
            return Range;
        });
        return AlertRules.Holds(Condition, Level, Level2, Window, Previous, tick, context, out value);
    }
}
