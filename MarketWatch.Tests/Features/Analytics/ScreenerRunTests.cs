using MarketWatch.Web.Features.Analytics;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>Screener.Run against a hand-made snapshot: each filter keeps exactly the rows it should; sort, nulls last, paging.</summary>
public sealed class ScreenerRunTests
{
    private static InstrumentMetrics Row(string ticker, string sector, decimal? last, double? d1 = null, double? m3 = null, long volume = 0,
        double? relVol = null, decimal? cap = null, double? pos52 = null, double? rsi = null, double? sma50 = null, double? sma200 = null,
        double? volat = null, double? beta = null)
    {
        var performance = new double?[MetricsCalculator.Periods.Length];
        performance[(int)Period.D1] = d1;
        performance[(int)Period.M3] = m3;
        return new InstrumentMetrics(ticker.Length, ticker, ticker + " SA", sector, last, d1 is { } c ? (decimal)(c * 100) : null, volume, 0, cap, null,
            performance, rsi, sma50, sma200, volat, beta, null, null, null, pos52, relVol, null, null);
    }

    // Hand-made: four banks and telecoms with round figures, and one instrument with no history at all (every figure null).
    private static readonly MetricsSnapshot Snapshot = new(
    [
        Row("AAA", "Banks", 100m, d1: 0.02, m3: 0.10, volume: 5_000, relVol: 2.0, cap: 5e9m, pos52: 0.9, rsi: 65, sma50: 90, sma200: 80, volat: 0.20, beta: 1.2),
        Row("BBB", "Banks", 50m, d1: -0.01, m3: -0.05, volume: 500, relVol: 0.5, cap: 1e9m, pos52: 0.2, rsi: 35, sma50: 55, sma200: 45, volat: 0.35, beta: 0.8),
        Row("CCC", "Telecoms", 200m, d1: 0.0, m3: 0.30, volume: 20_000, relVol: 1.0, cap: 50e9m, pos52: 0.5, rsi: 50, sma50: 210, sma200: 220, volat: 0.10, beta: 0.5),
        Row("DDD", "Real estate", 10m, d1: 0.05, m3: 0.01, volume: 100, relVol: 3.0, cap: 2e8m, pos52: 1.0, rsi: 80, sma50: 8, sma200: 11, volat: 0.60, beta: 1.6),
        Row("EEE", "Banks", null),
    ], new DateOnly(2026, 12, 2), 7);

    private static string[] Tickers(string query)
    {
        var parsed = ScreenerQuery.Parse(query, ["Banks", "Telecoms", "Real estate"], api: true);
        Assert.That(parsed.Errors, Is.Empty);
        return Screener.Run(Snapshot, parsed.Query!).Rows.Select(r => r.Ticker).ToArray();
    }

    [TestCase("", "AAA,BBB,CCC,DDD,EEE")]
    [TestCase("sector=Banks", "AAA,BBB,EEE")]
    [TestCase("sector=Banks&sector=Telecoms", "AAA,BBB,CCC,EEE")]
    [TestCase("priceMin=50&priceMax=100", "AAA,BBB")]
    [TestCase("chgMin=0", "AAA,CCC,DDD")]
    [TestCase("period=M3&chgMin=5", "AAA,CCC")]
    [TestCase("period=M3&chgMax=2", "BBB,DDD")]
    [TestCase("volMin=1000", "AAA,CCC")]
    [TestCase("relVolMin=1.5", "AAA,DDD")]
    [TestCase("capMin=1000000000&capMax=10000000000", "AAA,BBB")]
    [TestCase("pos52Min=50&pos52Max=95", "AAA,CCC")]
    [TestCase("rsiMin=40&rsiMax=70", "AAA,CCC")]
    [TestCase("sma50=above", "AAA,DDD")]
    [TestCase("sma50=below", "BBB,CCC")]
    [TestCase("sma200=above", "AAA,BBB")]
    [TestCase("sma200=below", "CCC,DDD")]
    [TestCase("volatMax=25", "AAA,CCC")]
    [TestCase("volatMin=30", "BBB,DDD")]
    [TestCase("betaMin=1", "AAA,DDD")]
    [TestCase("betaMax=0.8", "BBB,CCC")]
    [TestCase("sector=Banks&rsiMin=50&sma50=above&volMin=1000&capMin=1", "AAA")]
    public void Each_filter_keeps_exactly_the_matching_rows(string query, string expected) =>
        Assert.That(Tickers(query), Is.EqualTo(expected.Split(',')));

    [Test]
    public void A_row_without_the_figure_a_filter_needs_is_left_out_and_sorts_last_either_way()
    {
        Assert.That(Tickers("rsiMin=0"), Does.Not.Contain("EEE"));
        Assert.That(Tickers("sort=rsi&dir=desc"), Is.EqualTo(new[] { "DDD", "AAA", "CCC", "BBB", "EEE" }));
        Assert.That(Tickers("sort=rsi"), Is.EqualTo(new[] { "BBB", "CCC", "AAA", "DDD", "EEE" }));
    }

    [TestCase("sort=cap&dir=desc", "CCC,AAA,BBB,DDD,EEE")]
    [TestCase("sort=last", "DDD,BBB,AAA,CCC,EEE")]
    [TestCase("sort=perf&period=M3&dir=desc", "CCC,AAA,DDD,BBB,EEE")]
    [TestCase("sort=sector&dir=desc", "CCC,DDD,AAA,BBB,EEE")]
    [TestCase("sort=sma50&dir=desc", "DDD,AAA,CCC,BBB,EEE")]
    public void Results_are_sorted_by_the_chosen_column(string query, string expected) =>
        Assert.That(Tickers(query), Is.EqualTo(expected.Split(',')));

    [Test]
    public void Pages_hold_the_limit_and_the_total_counts_every_match()
    {
        var parsed = ScreenerQuery.Parse("limit=2&page=2&sort=ticker", [], api: true).Query!;
        var result = Screener.Run(Snapshot, parsed);
        Assert.That((result.Total, result.Pages), Is.EqualTo((5, 3)));
        Assert.That(result.Rows.Select(r => r.Ticker), Is.EqualTo(new[] { "CCC", "DDD" }));
        Assert.That(Screener.Run(Snapshot, parsed with { Page = 3 }).Rows.Select(r => r.Ticker), Is.EqualTo(new[] { "EEE" }));
        Assert.That(Screener.Run(Snapshot, parsed with { Page = 4 }).Rows, Is.Empty);
        Assert.That(Screener.Match(Snapshot, parsed).Count, Is.EqualTo(5), "add-all takes every page");
    }
}
