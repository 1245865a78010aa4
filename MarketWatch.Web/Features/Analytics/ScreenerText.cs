using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>The screener's labels (resource keys) and how each column's figure is written (always through <see cref="Format"/>).</summary>
public static class ScreenerText
{
    public static string Range(string name) => name switch
    {
        "price" => "Price (MAD)",
        "chg" => "Change over the period (%)",
        "vol" => "Volume today (shares)",
        "relVol" => "Relative volume (× 20-session average)",
        "cap" => "Market cap (MAD)",
        "pos52" => "52-week position (0–100 %)",
        "rsi" => "RSI (14)",
        "volat" => "Volatility over 1 year (%)",
        _ => "Beta against MASI (1 year)",
    };

    public static string Column(string key) => key switch
    {
        "ticker" => "Ticker",
        "name" => "Name",
        "sector" => "Sector",
        "last" => "Last",
        "change" => "Change %",
        "perf" => "Performance",
        "volume" => "Volume",
        "relVol" => "Rel. volume",
        "cap" => "Market cap",
        "pos52" => "52-week position (%)",
        "rsi" => "RSI (14)",
        "sma50" => "vs SMA 50",
        "sma200" => "vs SMA 200",
        "volat" => "Volatility 1Y (%)",
        _ => "Beta",
    };

    public static string Period(Period period) => period switch
    {
        Analytics.Period.D1 => "1 day",
        Analytics.Period.W1 => "1 week",
        Analytics.Period.M1 => "1 month",
        Analytics.Period.M3 => "3 months",
        Analytics.Period.YTD => "Year to date",
        Analytics.Period.Y1 => "1 year",
        _ => "3 years",
    };

    public static bool IsText(string key) => key is "ticker" or "name" or "sector";

    /// <summary>One cell's text.</summary>
    public static string Cell(InstrumentMetrics m, string key, Period period, IStringLocalizer L)
    {
        var v = Screener.Value(m, key, period);
        return key switch
        {
            "name" => m.Name,
            "sector" => L[m.Sector],
            "last" => Format.Price(m.Last),
            "volume" => Format.Count(m.Volume),
            "cap" => Format.Billions(m.MarketCap, L),
            "change" or "perf" or "sma50" or "sma200" => Format.Percent(Dec(v * 100)),
            "pos52" or "volat" => Format.Level(Dec(v * 100)),
            "relVol" => Format.Ratio(Dec(v)),
            _ => Format.Level(Dec(v)),
        };
    }

    /// <summary>The up/down class of signed columns.</summary>
    public static string Direction(InstrumentMetrics m, string key, Period period) =>
        key is "change" or "perf" or "sma50" or "sma200" ? Format.Direction(Dec(Screener.Value(m, key, period))) : "";

    private static decimal? Dec(double? value) => value is { } v && double.IsFinite(v) && Math.Abs(v) < 1e20 ? Math.Round((decimal)v, 2) : null;
}
