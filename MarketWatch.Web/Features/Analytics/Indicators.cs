namespace MarketWatch.Web.Features.Analytics;

/// <summary>
/// The one indicator library: the screener, the dashboard, the charts and the alert engine all compute through it, so
/// an indicator has one definition. Every series function is a fold of the step states below (<see cref="Ema"/>,
/// <see cref="Rsi"/>, <see cref="Macd"/>, <see cref="Atr"/>), and the alert engine keeps the same states per
/// instrument and asks them for the value at the live price (<c>At</c>) without committing it: the indicator is updated
/// per tick, never recomputed from history. Conventions (StockCharts' ChartSchool, Wilder 1978):
/// <list type="bullet">
/// <item>SMA(N): the mean of the last N values.</item>
/// <item>EMA(N): α = 2/(N+1), seeded with the SMA of the first N values.</item>
/// <item>Bollinger(N, k): SMA(N) ± k population standard deviations of the same N values.</item>
/// <item>RSI(N): Wilder's smoothing; the first averages are the means of the first N gains and losses; no loss at all is 100,
/// no move at all is 50.</item>
/// <item>MACD(f, s, g): EMA(f) − EMA(s); signal = EMA(g) of the MACD line (seeded with the SMA of its first g values).</item>
/// <item>ATR(N): Wilder's smoothing of the true range; the first true range is high − low, the first ATR the mean of N.</item>
/// <item>Volatility: the sample standard deviation of daily log returns × √252.</item>
/// <item>Beta and correlation: from simple daily returns aligned by date (sample covariance).</item>
/// </list>
/// Undefined values (not enough history) are null. Values are doubles: these are measures, not amounts of money.
/// </summary>
public static class Indicators
{
    /// <summary>Sessions per year, for annualising.</summary>
    public const int SessionsPerYear = 252;

    public static double?[] Sma(ReadOnlySpan<double> values, int period)
    {
        CheckPeriod(period);
        var result = new double?[values.Length];
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= period)
            {
                sum -= values[i - period];
            }
            if (i >= period - 1)
            {
                result[i] = sum / period;
            }
        }
        return result;
    }

    public static double?[] Ema(ReadOnlySpan<double> values, int period)
    {
        var state = new Ema(period);
        var result = new double?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = state.Next(values[i]);
        }
        return result;
    }

    public static BollingerSeries Bollinger(ReadOnlySpan<double> values, int period = 20, double k = 2)
    {
        CheckPeriod(period);
        var middle = Sma(values, period);
        var upper = new double?[values.Length];
        var lower = new double?[values.Length];
        for (var i = period - 1; i < values.Length; i++)
        {
            var mean = middle[i]!.Value;
            var squares = 0.0;
            for (var j = i - period + 1; j <= i; j++)
            {
                squares += (values[j] - mean) * (values[j] - mean);
            }
            var sd = Math.Sqrt(squares / period);
            upper[i] = mean + k * sd;
            lower[i] = mean - k * sd;
        }
        return new BollingerSeries(middle, upper, lower);
    }

    public static double?[] Rsi(ReadOnlySpan<double> values, int period = 14)
    {
        var state = new Rsi(period);
        var result = new double?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = state.Next(values[i]);
        }
        return result;
    }

    public static MacdSeries Macd(ReadOnlySpan<double> values, int fast = 12, int slow = 26, int signal = 9)
    {
        var state = new Macd(fast, slow, signal);
        var line = new double?[values.Length];
        var signalLine = new double?[values.Length];
        var histogram = new double?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var point = state.Next(values[i]);
            line[i] = point.Macd;
            signalLine[i] = point.Signal;
            histogram[i] = point.Histogram;
        }
        return new MacdSeries(line, signalLine, histogram);
    }

    public static double?[] Atr(ReadOnlySpan<double> highs, ReadOnlySpan<double> lows, ReadOnlySpan<double> closes, int period = 14)
    {
        var state = new Atr(period);
        var result = new double?[closes.Length];
        for (var i = 0; i < closes.Length; i++)
        {
            result[i] = state.Next(highs[i], lows[i], closes[i]);
        }
        return result;
    }

    /// <summary>Annualised volatility of the closes (at least three): sample standard deviation of log returns × √252.</summary>
    public static double? Volatility(ReadOnlySpan<double> closes)
    {
        if (closes.Length < 3)
        {
            return null;
        }
        var n = closes.Length - 1;
        Span<double> returns = n <= 1024 ? stackalloc double[n] : new double[n];
        for (var i = 1; i < closes.Length; i++)
        {
            if (closes[i - 1] <= 0 || closes[i] <= 0)
            {
                return null;
            }
            returns[i - 1] = Math.Log(closes[i] / closes[i - 1]);
        }
        var mean = 0.0;
        foreach (var r in returns)
        {
            mean += r;
        }
        mean /= n;
        var squares = 0.0;
        foreach (var r in returns)
        {
            squares += (r - mean) * (r - mean);
        }
        return Math.Sqrt(squares / (n - 1)) * Math.Sqrt(SessionsPerYear);
    }

    /// <summary>
    /// Beta of the stock against the market and their correlation, from two close series aligned by date (same length,
    /// at least three): simple daily returns, sample covariance. Null when the market did not move at all; the
    /// correlation is null when the stock did not.
    /// </summary>
    public static BetaCorrelation? Beta(ReadOnlySpan<double> stock, ReadOnlySpan<double> market) =>
        Moments(stock, market) is { } m && m.VarB > 0
            ? new BetaCorrelation(m.Cov / m.VarB, m.VarA > 0 ? m.Cov / Math.Sqrt(m.VarA * m.VarB) : null)
            : null;

    /// <summary>Pearson correlation of two close series' simple daily returns (aligned by date); null when either did not move.</summary>
    public static double? Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        Moments(a, b) is { } m && m.VarA > 0 && m.VarB > 0 ? m.Cov / Math.Sqrt(m.VarA * m.VarB) : null;

    private static (double Cov, double VarA, double VarB)? Moments(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("The series must be aligned by date (same length).", nameof(b));
        }
        if (a.Length < 3)
        {
            return null;
        }
        var n = a.Length - 1;
        double meanA = 0, meanB = 0;
        for (var i = 1; i < a.Length; i++)
        {
            if (a[i - 1] <= 0 || b[i - 1] <= 0)
            {
                return null;
            }
            meanA += a[i] / a[i - 1] - 1;
            meanB += b[i] / b[i - 1] - 1;
        }
        meanA /= n;
        meanB /= n;
        double cov = 0, varA = 0, varB = 0;
        for (var i = 1; i < a.Length; i++)
        {
            var x = a[i] / a[i - 1] - 1 - meanA;
            var y = b[i] / b[i - 1] - 1 - meanB;
            cov += x * y;
            varA += x * x;
            varB += y * y;
        }
        // The (n − 1) of the sample covariance cancels in beta and correlation; kept for clarity of the definition.
        return (cov / (n - 1), varA / (n - 1), varB / (n - 1));
    }

    /// <summary>The largest fall from a running peak, as a positive fraction (0.25 = −25%); 0 for a series that never fell.</summary>
    public static double MaxDrawdown(ReadOnlySpan<double> values)
    {
        var peak = double.MinValue;
        var worst = 0.0;
        foreach (var v in values)
        {
            peak = Math.Max(peak, v);
            if (peak > 0)
            {
                worst = Math.Max(worst, (peak - v) / peak);
            }
        }
        return worst;
    }

    /// <summary>Where the price sits in its 52-week range: 0 at the low, 1 at the high; null when the range is flat.</summary>
    public static double? RangePosition(double last, double low, double high) =>
        high > low ? Math.Clamp((last - low) / (high - low), 0, 1) : null;

    /// <summary>Today's volume over the average of the previous sessions' (usually 20); null without history or volume.</summary>
    public static double? RelativeVolume(double today, ReadOnlySpan<double> previous)
    {
        if (previous.Length == 0)
        {
            return null;
        }
        var sum = 0.0;
        foreach (var v in previous)
        {
            sum += v;
        }
        return sum > 0 ? today / (sum / previous.Length) : null;
    }

    /// <summary>The return from <paramref name="from"/> to <paramref name="to"/> (0.05 = +5%); null without a positive base.</summary>
    public static double? Return(double? from, double to) => from is > 0 ? to / from.Value - 1 : null;

    internal static int CheckPeriod(int period) => period >= 1
        ? period
        : throw new ArgumentOutOfRangeException(nameof(period), period, "A period is at least 1.");
}

public sealed record BollingerSeries(double?[] Middle, double?[] Upper, double?[] Lower);

public sealed record MacdSeries(double?[] Line, double?[] Signal, double?[] Histogram);

public readonly record struct MacdPoint(double? Macd, double? Signal, double? Histogram);

public readonly record struct BetaCorrelation(double Beta, double? Correlation);

/// <summary>
/// A simple moving average kept as a window: <see cref="Next"/> adds a closed value; <see cref="At"/> is the average
/// with a live value as the newest (the last N−1 closed values and it), without adding it.
/// </summary>
public sealed class Sma(int period)
{
    private readonly Queue<double> _window = new(period);
    private double _sum;

    public int Period { get; } = Indicators.CheckPeriod(period);
    /// <summary>The average of the last N values added; null until N were.</summary>
    public double? Current => _window.Count == Period ? _sum / Period : null;

    public double? Next(double value)
    {
        _window.Enqueue(value);
        _sum += value;
        if (_window.Count > Period)
        {
            _sum -= _window.Dequeue();
        }
        return _window.Count == Period ? _sum / Period : null;
    }

    public double? At(double value)
    {
        if (_window.Count < Period - 1)
        {
            return null;
        }
        var sum = _sum + value - (_window.Count == Period ? _window.Peek() : 0);
        return sum / Period;
    }
}

/// <summary>An exponential moving average, one value at a time (seeded with the SMA of the first N values).</summary>
public sealed class Ema(int period)
{
    private readonly double _alpha = 2.0 / (Indicators.CheckPeriod(period) + 1);
    private double _seedSum;
    private int _count;

    public int Period { get; } = period;
    /// <summary>The EMA after the last value added; null until N values were.</summary>
    public double? Value { get; private set; }

    public double? Next(double value)
    {
        var next = At(value);
        _count++;
        if (Value is null)
        {
            _seedSum += value;
        }
        Value = next;
        return next;
    }

    /// <summary>The EMA if <paramref name="value"/> were the next one, without adding it.</summary>
    public double? At(double value) => Value is { } previous
        ? previous + _alpha * (value - previous)
        : _count == Period - 1 ? (_seedSum + value) / Period : null;
}

/// <summary>Wilder's relative strength index, one close at a time.</summary>
public sealed class Rsi(int period = 14)
{
    private double? _previousClose;
    private double _gains;
    private double _losses;
    private int _changes;

    public int Period { get; } = Indicators.CheckPeriod(period);
    /// <summary>The RSI after the last close added; null until N changes were.</summary>
    public double? Value { get; private set; }

    public double? Next(double close)
    {
        var (value, gains, losses) = Step(close);
        if (_previousClose is not null)
        {
            _changes++;
            (_gains, _losses) = (gains, losses);
        }
        _previousClose = close;
        Value = value;
        return value;
    }

    /// <summary>The RSI if <paramref name="close"/> were the next close, without adding it.</summary>
    public double? At(double close) => Step(close).Value;

    private (double? Value, double Gains, double Losses) Step(double close)
    {
        if (_previousClose is not { } previous)
        {
            return (null, 0, 0);
        }
        var change = close - previous;
        var gain = Math.Max(change, 0);
        var loss = Math.Max(-change, 0);
        var changes = _changes + 1;
        double gains, losses;
        if (changes < Period)
        {
            return (null, _gains + gain, _losses + loss); // sums until the first average
        }
        if (changes == Period)
        {
            gains = (_gains + gain) / Period;
            losses = (_losses + loss) / Period;
        }
        else
        {
            gains = (_gains * (Period - 1) + gain) / Period;
            losses = (_losses * (Period - 1) + loss) / Period;
        }
        return (Of(gains, losses), gains, losses);
    }

    private static double Of(double gains, double losses) =>
        losses == 0 ? (gains == 0 ? 50 : 100) : 100 - 100 / (1 + gains / losses);
}

/// <summary>MACD: the fast EMA minus the slow one, its signal line and the histogram, one close at a time.</summary>
public sealed class Macd(int fast = 12, int slow = 26, int signal = 9)
{
    private readonly Ema _fast = new(fast);
    private readonly Ema _slow = new(slow);
    private readonly Ema _signal = new(signal);

    public int Fast => _fast.Period;
    public int Slow => _slow.Period;
    public int SignalPeriod => _signal.Period;

    public MacdPoint Next(double close)
    {
        var f = _fast.Next(close);
        var s = _slow.Next(close);
        if (f is null || s is null)
        {
            return default;
        }
        var line = f.Value - s.Value;
        var sig = _signal.Next(line);
        return new MacdPoint(line, sig, line - sig);
    }

    /// <summary>The MACD if <paramref name="close"/> were the next close, without adding it.</summary>
    public MacdPoint At(double close)
    {
        var f = _fast.At(close);
        var s = _slow.At(close);
        if (f is null || s is null)
        {
            return default;
        }
        var line = f.Value - s.Value;
        var sig = _signal.At(line);
        return new MacdPoint(line, sig, line - sig);
    }
}

/// <summary>Wilder's average true range, one bar at a time.</summary>
public sealed class Atr(int period = 14)
{
    private double? _previousClose;
    private double _sum;
    private int _count;

    public int Period { get; } = Indicators.CheckPeriod(period);
    public double? Value { get; private set; }

    public double? Next(double high, double low, double close)
    {
        var range = _previousClose is { } pc
            ? Math.Max(high - low, Math.Max(Math.Abs(high - pc), Math.Abs(low - pc)))
            : high - low;
        _previousClose = close;
        _count++;
        if (Value is { } previous)
        {
            Value = (previous * (Period - 1) + range) / Period;
        }
        else
        {
            _sum += range;
            if (_count == Period)
            {
                Value = _sum / Period;
            }
        }
        return Value;
    }
}
