using MarketWatch.Web.Features.Analytics;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>
/// The indicator library against reference values. Each test names its source: StockCharts ChartSchool's worked
/// spreadsheets (moving averages: "Moving Averages - Simple and Exponential"; RSI: "Relative Strength Index (RSI)",
/// the series Wilder's method is illustrated with), or a small series worked out by hand in the comment beside it.
/// </summary>
public sealed class IndicatorsTests
{
    /// <summary>StockCharts ChartSchool, "Moving Averages - Simple and Exponential": the 30 closes of its spreadsheet.</summary>
    private static readonly double[] MovingAverageCloses =
    [
        22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29, 22.15, 22.39, 22.38, 22.61, 23.36,
        24.05, 23.75, 23.83, 23.95, 23.63, 23.82, 23.87, 23.65, 23.19, 23.10, 23.33, 22.68, 23.10, 22.40, 22.17,
    ];

    /// <summary>The same page's 10-day SMA column (from the 10th close), published to two decimals.</summary>
    private static readonly double[] StockChartsSma10 =
    [
        22.22, 22.21, 22.23, 22.26, 22.30, 22.42, 22.61, 22.77, 22.91, 23.08, 23.21, 23.38, 23.52, 23.65, 23.71, 23.68, 23.61, 23.50, 23.43, 23.28, 23.13,
    ];

    /// <summary>The same page's 10-day EMA column (seeded with the first SMA, multiplier 2/11 = 0.1818).</summary>
    private static readonly double[] StockChartsEma10 =
    [
        22.22, 22.21, 22.24, 22.27, 22.33, 22.52, 22.80, 22.97, 23.13, 23.28, 23.34, 23.43, 23.51, 23.54, 23.47, 23.40, 23.39, 23.26, 23.23, 23.08, 22.92,
    ];

    /// <summary>StockCharts ChartSchool, "Relative Strength Index (RSI)": the closes of its spreadsheet (four decimals).</summary>
    private static readonly double[] RsiCloses =
    [
        44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433, 46.0826, 45.8931, 46.0328, 45.6140, 46.2820,
        46.2820, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122, 46.2521, 45.7137, 46.4515, 45.7835, 45.3548, 44.0288, 44.1783,
        44.2181, 44.5672, 43.4205, 42.6628, 43.1314,
    ];

    /// <summary>The same page's 14-day RSI column (from the 15th close): first averages 0.2384 / 0.0996, then Wilder's smoothing.</summary>
    private static readonly double[] StockChartsRsi14 =
    [
        70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87, 45.46, 37.30, 33.08, 37.77,
    ];

    /// <summary>A longer, bumpy series for the identities (state vs series, At vs Next): no reference value needed there.</summary>
    private static double[] Bumpy(int n = 300)
    {
        var random = new Random(16);
        var values = new double[n];
        var price = 100.0;
        for (var i = 0; i < n; i++)
        {
            price *= 1 + (random.NextDouble() - 0.5) * 0.06;
            values[i] = Math.Round(price, 2);
        }
        return values;
    }

    private static void AssertSeries(double?[] actual, int firstDefined, double[] expected, double tolerance, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(firstDefined + expected.Length), what);
        for (var i = 0; i < firstDefined; i++)
        {
            Assert.That(actual[i], Is.Null, $"{what}[{i}]: not enough values yet");
        }
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.That(actual[firstDefined + i], Is.EqualTo(expected[i]).Within(tolerance), $"{what}[{firstDefined + i}]");
        }
    }

    [Test]
    public void Sma_matches_StockCharts_worked_example()
    {
        // The published column is rounded to cents from closes that had more decimals: within a cent.
        AssertSeries(Indicators.Sma(MovingAverageCloses, 10), 9, StockChartsSma10, 0.0101, "SMA(10)");
        // And exactly, by hand: the first ten closes sum to 222.21, / 10.
        Assert.That(Indicators.Sma(MovingAverageCloses, 10)[9], Is.EqualTo(22.221).Within(1e-9));
    }

    [Test]
    public void Ema_matches_StockCharts_worked_example()
    {
        AssertSeries(Indicators.Ema(MovingAverageCloses, 10), 9, StockChartsEma10, 0.0101, "EMA(10)");
        // By hand: seed 22.221; next = 22.221 + 2/11 × (22.15 − 22.221) = 22.208091 (StockCharts: 22.21).
        Assert.That(Indicators.Ema(MovingAverageCloses, 10)[10], Is.EqualTo(22.221 + 2.0 / 11 * (22.15 - 22.221)).Within(1e-12));
    }

    [Test]
    public void Rsi_matches_StockCharts_worked_example_of_Wilders_method()
    {
        // Exact to the published two decimals (the spreadsheet's closes are given to four).
        AssertSeries(Indicators.Rsi(RsiCloses, 14), 14, StockChartsRsi14, 0.005, "RSI(14)");
    }

    [Test]
    public void Rsi_of_a_series_that_only_rose_is_100_and_of_one_that_never_moved_is_50()
    {
        // By hand: no loss at all → RS infinite → 100 (Wilder); no move at all → defined here as 50.
        Assert.That(Indicators.Rsi([1, 2, 3, 4], 3)[3], Is.EqualTo(100));
        Assert.That(Indicators.Rsi([5, 5, 5, 5], 3)[3], Is.EqualTo(50));
        Assert.That(Indicators.Rsi([4, 3, 2, 1], 3)[3], Is.EqualTo(0));
        // By hand, period 2 on 10, 11, 10.5, 11.5: changes +1, −0.5, +1. First averages (1/2, 0.5/2) = (0.5, 0.25):
        // RSI = 100 − 100/(1 + 2) = 66.67. Then (0.5×1 + 1)/2 = 0.75 and (0.25×1 + 0)/2 = 0.125: RS 6, RSI 85.71.
        var rsi = Indicators.Rsi([10, 11, 10.5, 11.5], 2);
        Assert.That(rsi[..2], Is.All.Null);
        Assert.That(rsi[2], Is.EqualTo(100 - 100 / 3.0).Within(1e-9));
        Assert.That(rsi[3], Is.EqualTo(100 - 100 / 7.0).Within(1e-9));
    }

    [Test]
    public void Bollinger_bands_are_the_sma_plus_or_minus_k_population_deviations()
    {
        // By hand, period 3, k 2 on 1, 2, 3, 4, 8:
        //   [1, 2, 3]: mean 2, deviations −1, 0, 1 → variance 2/3 → bands 2 ± 2√(2/3)
        //   [2, 3, 4]: mean 3, same spread          → bands 3 ± 2√(2/3)
        //   [3, 4, 8]: mean 5, deviations −2, −1, 3 → variance 14/3 → bands 5 ± 2√(14/3)
        var bands = Indicators.Bollinger([1, 2, 3, 4, 8], 3, 2);
        Assert.That(bands.Middle[..2], Is.All.Null);
        Assert.That(bands.Upper[..2], Is.All.Null);
        Assert.That(bands.Lower[..2], Is.All.Null);
        double[] means = [2, 3, 5];
        double[] deviations = [Math.Sqrt(2.0 / 3), Math.Sqrt(2.0 / 3), Math.Sqrt(14.0 / 3)];
        for (var i = 0; i < 3; i++)
        {
            Assert.That(bands.Middle[i + 2], Is.EqualTo(means[i]).Within(1e-12));
            Assert.That(bands.Upper[i + 2], Is.EqualTo(means[i] + 2 * deviations[i]).Within(1e-12));
            Assert.That(bands.Lower[i + 2], Is.EqualTo(means[i] - 2 * deviations[i]).Within(1e-12));
        }
    }

    [Test]
    public void Macd_line_signal_and_histogram_by_hand()
    {
        // By hand, MACD(2, 3, 2) on 1, 2, 3, 4, 5, 4:
        //   EMA(2), α 2/3: seed (1+2)/2 = 1.5, then 2.5, 3.5, 4.5, 4.5 + 2/3 × (4 − 4.5) = 25/6
        //   EMA(3), α 1/2: seed (1+2+3)/3 = 2, then 3, 4, 4 + 1/2 × (4 − 4) = 4
        //   line: −, −, 0.5, 0.5, 0.5, 25/6 − 4 = 1/6
        //   signal EMA(2) of the line: seed (0.5+0.5)/2 = 0.5 at the 4th close, 0.5, 0.5 + 2/3 × (1/6 − 0.5) = 5/18
        //   histogram: 0 at the 4th and 5th, 1/6 − 5/18 = −1/9 at the 6th
        var macd = Indicators.Macd([1, 2, 3, 4, 5, 4], 2, 3, 2);
        Assert.That(macd.Line[..2], Is.All.Null);
        Assert.That(macd.Line[2], Is.EqualTo(0.5).Within(1e-12));
        Assert.That(macd.Signal[2], Is.Null, "one MACD value: no signal yet");
        Assert.That(macd.Histogram[2], Is.Null);
        Assert.That(macd.Line[3], Is.EqualTo(0.5).Within(1e-12));
        Assert.That(macd.Signal[3], Is.EqualTo(0.5).Within(1e-12));
        Assert.That(macd.Histogram[3], Is.EqualTo(0).Within(1e-12));
        Assert.That(macd.Line[5], Is.EqualTo(1.0 / 6).Within(1e-12));
        Assert.That(macd.Signal[5], Is.EqualTo(5.0 / 18).Within(1e-12));
        Assert.That(macd.Histogram[5], Is.EqualTo(-1.0 / 9).Within(1e-12));
    }

    [Test]
    public void Macd_is_the_difference_of_the_library_emas_with_the_default_periods()
    {
        // MACD(12, 26, 9) as StockCharts defines it: EMA(12) − EMA(26), signal EMA(9) of that line.
        var closes = Bumpy();
        var fast = Indicators.Ema(closes, 12);
        var slow = Indicators.Ema(closes, 26);
        var macd = Indicators.Macd(closes);
        var line = Enumerable.Range(25, closes.Length - 25).Select(i => fast[i]!.Value - slow[i]!.Value).ToArray();
        var signal = Indicators.Ema(line, 9);
        Assert.That(macd.Line[..25], Is.All.Null);
        for (var i = 25; i < closes.Length; i++)
        {
            Assert.That(macd.Line[i], Is.EqualTo(line[i - 25]).Within(1e-9));
            Assert.That(macd.Signal[i], signal[i - 25] is null ? Is.Null : Is.EqualTo(signal[i - 25]!.Value).Within(1e-9));
        }
        Assert.That(macd.Signal[33], Is.Not.Null, "the signal starts at the 34th close (26 + 9 − 1)");
        Assert.That(macd.Signal[32], Is.Null);
    }

    [Test]
    public void Atr_by_hand_with_gaps_from_the_previous_close()
    {
        // By hand, ATR(3) on (high, low, close):
        //   (10, 8, 9)      TR = 10 − 8 = 2 (no previous close)
        //   (11, 9, 10)     TR = max(2, |11 − 9|, |9 − 9|) = 2
        //   (12, 9, 11)     TR = max(3, |12 − 10|, |9 − 10|) = 3          → first ATR = (2+2+3)/3 = 7/3
        //   (11, 10, 10.5)  TR = max(1, |11 − 11|, |10 − 11|) = 1         → (7/3 × 2 + 1)/3 = 17/9
        //   (15, 11, 14)    TR = max(4, |15 − 10.5|, |11 − 10.5|) = 4.5   → (17/9 × 2 + 4.5)/3 = 149/54 (gap up)
        var atr = Indicators.Atr([10, 11, 12, 11, 15], [8, 9, 9, 10, 11], [9, 10, 11, 10.5, 14], 3);
        Assert.That(atr[..2], Is.All.Null);
        Assert.That(atr[2], Is.EqualTo(7.0 / 3).Within(1e-12));
        Assert.That(atr[3], Is.EqualTo(17.0 / 9).Within(1e-12));
        Assert.That(atr[4], Is.EqualTo(149.0 / 54).Within(1e-12));
    }

    [Test]
    public void Volatility_is_the_sample_deviation_of_log_returns_annualised()
    {
        // By hand, closes 100, 110, 99: log returns ln 1.1 and ln 0.9; the sample deviation of two values is
        // |a − b| / √2; × √252.
        var expected = Math.Abs(Math.Log(1.1) - Math.Log(0.9)) / Math.Sqrt(2) * Math.Sqrt(252);
        Assert.That(Indicators.Volatility([100, 110, 99]), Is.EqualTo(expected).Within(1e-12));
        Assert.That(Indicators.Volatility([100, 100, 100]), Is.EqualTo(0));
        Assert.That(Indicators.Volatility([100, 110]), Is.Null, "two closes are one return: no deviation");
        Assert.That(Indicators.Volatility([100, 0, 110]), Is.Null, "no log return of a zero close");
    }

    [Test]
    public void Beta_and_correlation_by_hand()
    {
        // By hand: the stock's returns (+10%, −10%) are twice the market's (+5%, −5%): beta 2, correlation 1;
        // against a market that moved the other way (−5%, +5%): beta −2, correlation −1.
        var twice = Indicators.Beta([100, 110, 99], [100, 105, 99.75])!.Value;
        Assert.That(twice.Beta, Is.EqualTo(2).Within(1e-9));
        Assert.That(twice.Correlation, Is.EqualTo(1).Within(1e-9));
        var opposite = Indicators.Beta([100, 110, 99], [100, 95, 99.75])!.Value;
        Assert.That(opposite.Beta, Is.EqualTo(-2).Within(1e-9));
        Assert.That(opposite.Correlation, Is.EqualTo(-1).Within(1e-9));
        Assert.That(Indicators.Correlation([100, 110, 99], [100, 105, 99.75]), Is.EqualTo(1).Within(1e-9));

        // A market that did not move: no beta; a stock that did not: beta 0, no correlation.
        Assert.That(Indicators.Beta([100, 110, 99], [100, 100, 100]), Is.Null);
        var flat = Indicators.Beta([100, 100, 100], [100, 105, 99.75])!.Value;
        Assert.That(flat.Beta, Is.EqualTo(0));
        Assert.That(flat.Correlation, Is.Null);
        Assert.That(Indicators.Correlation([100, 100, 100], [100, 105, 99.75]), Is.Null);
        Assert.That(() => Indicators.Beta([1, 2, 3], [1, 2]), Throws.ArgumentException, "series must be aligned by date");

        // By hand, three returns: stock +10%, 0%, −10% (100, 110, 110, 99); market +1%, +2%, +3% → the stock falls as the
        // market rises: cov = ((0.1)(−0.01) + 0 + (−0.1)(0.01))/2 = −0.001, var(market) = (0.0001 + 0 + 0.0001)/2 = 0.0001 → beta −10.
        var market = new[] { 100, 101, 101 * 1.02, 101 * 1.02 * 1.03 };
        Assert.That(Indicators.Beta([100, 110, 110, 99], market)!.Value.Beta, Is.EqualTo(-10).Within(1e-9));
    }

    [Test]
    public void Max_drawdown_is_the_largest_fall_from_a_running_peak()
    {
        // By hand: peaks 120 then 130; the falls are 120 → 90 (25%) and 130 → 65 (50%).
        Assert.That(Indicators.MaxDrawdown([100, 120, 90, 130, 65]), Is.EqualTo(0.5).Within(1e-12));
        Assert.That(Indicators.MaxDrawdown([100, 120, 90, 130]), Is.EqualTo(0.25).Within(1e-12));
        Assert.That(Indicators.MaxDrawdown([1, 2, 3]), Is.EqualTo(0));
        Assert.That(Indicators.MaxDrawdown([]), Is.EqualTo(0));
    }

    [Test]
    public void Range_position_relative_volume_and_return()
    {
        Assert.That(Indicators.RangePosition(75, 50, 150), Is.EqualTo(0.25).Within(1e-12));
        Assert.That(Indicators.RangePosition(200, 50, 150), Is.EqualTo(1), "clamped above the high");
        Assert.That(Indicators.RangePosition(10, 50, 150), Is.EqualTo(0), "clamped below the low");
        Assert.That(Indicators.RangePosition(50, 50, 50), Is.Null, "a flat range");

        // By hand: 300 against the average of 100, 200, 300 (200) is 1.5×.
        Assert.That(Indicators.RelativeVolume(300, [100, 200, 300]), Is.EqualTo(1.5).Within(1e-12));
        Assert.That(Indicators.RelativeVolume(300, []), Is.Null);
        Assert.That(Indicators.RelativeVolume(300, [0, 0]), Is.Null);

        Assert.That(Indicators.Return(100, 105), Is.EqualTo(0.05).Within(1e-12));
        Assert.That(Indicators.Return(null, 105), Is.Null);
        Assert.That(Indicators.Return(0, 105), Is.Null);
    }

    [Test]
    public void A_period_below_one_is_refused()
    {
        Assert.That(() => Indicators.Sma([1, 2], 0), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Ema(0), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Rsi(0), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Sma(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Atr(0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Sma_state_keeps_a_window_and_At_takes_the_live_value_as_the_newest()
    {
        // By hand, SMA(3): after 1, 2 there is no average, but At(3) = (1+2+3)/3 = 2 (today's price completes the window).
        var sma = new Sma(3);
        Assert.That(sma.At(5), Is.Null, "nothing yet");
        sma.Next(1);
        Assert.That(sma.At(5), Is.Null, "one closed value and today's are two of three");
        sma.Next(2);
        Assert.That(sma.Current, Is.Null);
        Assert.That(sma.At(3), Is.EqualTo(2).Within(1e-12));
        sma.Next(3);
        sma.Next(4);
        Assert.That(sma.Current, Is.EqualTo(3).Within(1e-12));
        // (3 + 4 + 10)/3: the oldest (2) leaves the window.
        Assert.That(sma.At(10), Is.EqualTo(17.0 / 3).Within(1e-12));
        Assert.That(sma.Current, Is.EqualTo(3).Within(1e-12), "At commits nothing");
    }

    [Test]
    public void At_is_what_Next_would_return_for_every_state()
    {
        var closes = Bumpy();
        foreach (var period in new[] { 1, 2, 3, 14, 50 })
        {
            var sma = new Sma(period);
            var ema = new Ema(period);
            var rsi = new Rsi(period);
            var macd = new Macd(Math.Max(1, period / 2), period + 1, Math.Max(1, period / 3));
            for (var i = 0; i < closes.Length; i++)
            {
                var x = closes[i];
                var (smaAt, emaAt, rsiAt, macdAt) = (sma.At(x), ema.At(x), rsi.At(x), macd.At(x));
                // Asking twice changes nothing: At commits nothing.
                Assert.That(ema.At(x), Is.EqualTo(emaAt));
                Assert.That(rsi.At(x), Is.EqualTo(rsiAt));
                Assert.That(sma.Next(x), smaAt is null ? Is.Null : Is.EqualTo(smaAt.Value).Within(1e-9), $"SMA({period}) at {i}");
                Assert.That(ema.Next(x), Is.EqualTo(emaAt), $"EMA({period}) at {i}");
                Assert.That(rsi.Next(x), Is.EqualTo(rsiAt), $"RSI({period}) at {i}");
                Assert.That(macd.Next(x), Is.EqualTo(macdAt), $"MACD at {i}");
            }
        }
    }

    [Test]
    public void At_on_the_StockCharts_series_gives_the_next_published_value()
    {
        // The states fed all but the last close, asked At(last close): the last published value.
        var ema = new Ema(10);
        foreach (var close in MovingAverageCloses[..^1])
        {
            ema.Next(close);
        }
        Assert.That(ema.At(MovingAverageCloses[^1]), Is.EqualTo(StockChartsEma10[^1]).Within(0.0101));
        var rsi = new Rsi(14);
        foreach (var close in RsiCloses[..^1])
        {
            rsi.Next(close);
        }
        Assert.That(rsi.At(RsiCloses[^1]), Is.EqualTo(StockChartsRsi14[^1]).Within(0.005));
        Assert.That(rsi.Value, Is.EqualTo(StockChartsRsi14[^2]).Within(0.005), "Value is the last committed RSI");
    }

    [Test]
    public void The_series_functions_are_folds_of_the_states()
    {
        var closes = Bumpy();
        var highs = closes.Select(c => c * 1.01).ToArray();
        var lows = closes.Select(c => c * 0.985).ToArray();
        foreach (var period in new[] { 1, 5, 20, 200 })
        {
            var sma = new Sma(period);
            var ema = new Ema(period);
            var rsi = new Rsi(period);
            var atr = new Atr(period);
            var smaSeries = Indicators.Sma(closes, period);
            var emaSeries = Indicators.Ema(closes, period);
            var rsiSeries = Indicators.Rsi(closes, period);
            var atrSeries = Indicators.Atr(highs, lows, closes, period);
            var bands = Indicators.Bollinger(closes, period);
            for (var i = 0; i < closes.Length; i++)
            {
                var s = sma.Next(closes[i]);
                Assert.That(smaSeries[i], s is null ? Is.Null : Is.EqualTo(s.Value).Within(1e-9), $"SMA({period})[{i}]");
                Assert.That(bands.Middle[i], s is null ? Is.Null : Is.EqualTo(s.Value).Within(1e-9), $"Bollinger middle({period})[{i}]");
                Assert.That(emaSeries[i], Is.EqualTo(ema.Next(closes[i])), $"EMA({period})[{i}]");
                Assert.That(rsiSeries[i], Is.EqualTo(rsi.Next(closes[i])), $"RSI({period})[{i}]");
                Assert.That(atrSeries[i], Is.EqualTo(atr.Next(highs[i], lows[i], closes[i])), $"ATR({period})[{i}]");
            }
            Assert.That(ema.Value, Is.EqualTo(emaSeries[^1]));
            Assert.That(rsi.Value, Is.EqualTo(rsiSeries[^1]));
            Assert.That(atr.Value, Is.EqualTo(atrSeries[^1]));
        }
        var macd = new Macd();
        var macdSeries = Indicators.Macd(closes);
        for (var i = 0; i < closes.Length; i++)
        {
            var point = macd.Next(closes[i]);
            Assert.That((macdSeries.Line[i], macdSeries.Signal[i], macdSeries.Histogram[i]), Is.EqualTo((point.Macd, point.Signal, point.Histogram)), $"MACD[{i}]");
        }
        Assert.That((macd.Fast, macd.Slow, macd.SignalPeriod), Is.EqualTo((12, 26, 9)));
    }

    [Test]
    public void A_period_of_one_is_the_value_itself()
    {
        double[] values = [3, 1, 4, 1, 5];
        Assert.That(Indicators.Sma(values, 1).Select(v => v!.Value), Is.EqualTo(values));
        Assert.That(Indicators.Ema(values, 1).Select(v => v!.Value), Is.EqualTo(values));
        Assert.That(new Sma(1).At(7), Is.EqualTo(7));
        Assert.That(new Ema(1).At(7), Is.EqualTo(7));
    }
}
