using MarketWatch.Web.Features.Market.Calendar;

namespace MarketWatch.Web.Features.Market.Providers.Simulated;

/// <summary>
/// Years of daily bars for the simulated market, so every chart has data from the first start. The walk runs
/// backwards from the instrument's reference price, so the last generated close is that price; every day stays
/// within the ±10% limit of the day before. Deterministic for a seed.
/// </summary>
public static class SimulatedHistory
{
    public static IEnumerable<DailyBar> Generate(int seed, Instrument instrument, IReadOnlyList<DateOnly> tradingDays)
    {
        if (tradingDays.Count == 0)
        {
            yield break;
        }
        var random = new Random(SimulatedMarket.StableSeed(seed, instrument.Ticker + "#history"));
        var sigma = SimulatedMarket.AnnualVolatility(seed, instrument.Ticker) / Math.Sqrt(252);
        var closes = new decimal[tradingDays.Count];
        closes[^1] = instrument.ReferencePrice;
        for (var i = closes.Length - 1; i > 0; i--)
        {
            var move = Math.Clamp(SimulatedMarket.Normal(random) * sigma, -0.09, 0.09);
            closes[i - 1] = Math.Max(0.01m, SimulatedMarket.RoundPrice(closes[i] / (decimal)(1 + move)));
        }
        var shares = instrument.SharesForCap ?? 1_000_000;
        for (var i = 0; i < closes.Length; i++)
        {
            var previous = i == 0 ? closes[0] : closes[i - 1];
            var close = closes[i];
            var open = SimulatedMarket.Clamp(previous * (decimal)Math.Exp(SimulatedMarket.Normal(random) * sigma * 0.3), previous);
            var high = SimulatedMarket.Clamp(Math.Max(open, close) * (decimal)(1 + Math.Abs(SimulatedMarket.Normal(random)) * sigma * 0.4), previous);
            var low = SimulatedMarket.Clamp(Math.Min(open, close) * (decimal)(1 - Math.Abs(SimulatedMarket.Normal(random)) * sigma * 0.4), previous);
            high = Math.Max(high, Math.Max(open, close));
            low = Math.Min(low, Math.Min(open, close));
            var volume = (long)Math.Max(1, shares * 0.0004 * Math.Exp(SimulatedMarket.Normal(random) * 0.6 - 0.18));
            yield return new DailyBar
            {
                InstrumentId = instrument.Id,
                Date = tradingDays[i],
                Open = open,
                High = high,
                Low = low,
                Close = close,
                AdjustedClose = close,
                Volume = volume,
                Source = "Simulated",
            };
        }
    }

    /// <summary>The trading days of the last <paramref name="years"/> years, up to the session before <paramref name="today"/>.</summary>
    public static IReadOnlyList<DateOnly> Days(ExchangeCalendar calendar, DateOnly today, int years) =>
        calendar.TradingDays(today.AddYears(-years), today.AddDays(-1)).ToList();
}
