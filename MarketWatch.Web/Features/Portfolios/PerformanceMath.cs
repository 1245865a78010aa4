namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// The arithmetic of performance, pure (no database, no clock) so the tests check it by hand. Returns and growth are
/// doubles (ratios, powers and square roots); amounts stay decimal until here.
/// </summary>
public static class PerformanceMath
{
    public const int TradingDaysPerYear = 252;

    /// <summary>
    /// One session's time-weighted return, flows at the END of the day: r = (V − F) / V₋₁ − 1, where V is the value at the
    /// close, V₋₁ the previous close and F the money put in (+) or taken out (−) that day. The money that came in did not
    /// work that day; the money that went out did (a sale at an intraday price counts from the previous close to the
    /// sale). When nothing was held the evening before (V₋₁ ≤ 0: the first day, or after everything was sold), the
    /// day's inflow is the base instead: r = V / F − 1 (a buy from its price to the close); with no inflow either, 0.
    /// </summary>
    public static double DailyReturn(decimal previousValue, decimal value, decimal flow)
    {
        if (previousValue > 0)
        {
            return (double)((value - flow) / previousValue) - 1;
        }
        return flow > 0 ? (double)(value / flow) - 1 : 0;
    }

    /// <summary>
    /// The deepest fall of <paramref name="growth"/> (a time-weighted index) from its running peak, as a fraction ≤ 0;
    /// null with fewer than two points.
    /// </summary>
    public static double? MaxDrawdown(ReadOnlySpan<double> growth)
    {
        if (growth.Length < 2)
        {
            return null;
        }
        var peak = growth[0];
        var deepest = 0.0;
        foreach (var g in growth)
        {
            if (g > peak)
            {
                peak = g;
            }
            else if (peak > 0)
            {
                deepest = Math.Min(deepest, g / peak - 1);
            }
        }
        return deepest;
    }

    /// <summary>Annualised volatility: √252 × the sample standard deviation of daily returns; null with fewer than two.</summary>
    public static double? Volatility(ReadOnlySpan<double> dailyReturns)
    {
        if (dailyReturns.Length < 2)
        {
            return null;
        }
        var mean = 0.0;
        foreach (var r in dailyReturns)
        {
            mean += r;
        }
        mean /= dailyReturns.Length;
        var squares = 0.0;
        foreach (var r in dailyReturns)
        {
            squares += (r - mean) * (r - mean);
        }
        return Math.Sqrt(squares / (dailyReturns.Length - 1)) * Math.Sqrt(TradingDaysPerYear);
    }

    /// <summary>
    /// The annualised money-weighted return (XIRR, actual/365 like the spreadsheet function): the rate x with
    /// Σ amountᵢ / (1 + x)^((dateᵢ − date₀) / 365) = 0, amounts from the investor's side (paid in −, received +).
    /// Newton's method from 10 %, then bisection when Newton leaves the domain or does not settle. Null when the flows
    /// span less than a day, do not change sign (no rate solves it), or no rate is found in (−100 %, 10⁹).
    /// </summary>
    public static double? Xirr(IReadOnlyList<(DateOnly Date, double Amount)> flows)
    {
        if (flows.Count < 2)
        {
            return null;
        }
        var first = flows[0].Date;
        var last = flows[0].Date;
        bool positive = false, negative = false;
        foreach (var (date, amount) in flows)
        {
            first = date < first ? date : first;
            last = date > last ? date : last;
            positive |= amount > 0;
            negative |= amount < 0;
        }
        if (last.DayNumber - first.DayNumber < 1 || !positive || !negative)
        {
            return null;
        }
        var years = new double[flows.Count];
        for (var i = 0; i < flows.Count; i++)
        {
            years[i] = (flows[i].Date.DayNumber - first.DayNumber) / 365.0;
        }

        double Npv(double rate)
        {
            var sum = 0.0;
            for (var i = 0; i < years.Length; i++)
            {
                sum += flows[i].Amount * Math.Pow(1 + rate, -years[i]);
            }
            return sum;
        }

        var x = 0.1;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double value = 0, derivative = 0;
            for (var i = 0; i < years.Length; i++)
            {
                var discount = Math.Pow(1 + x, -years[i]);
                value += flows[i].Amount * discount;
                derivative -= years[i] * flows[i].Amount * discount / (1 + x);
            }
            if (derivative == 0 || !double.IsFinite(derivative))
            {
                break;
            }
            var next = x - value / derivative;
            if (!double.IsFinite(next) || next <= -1)
            {
                break;
            }
            if (Math.Abs(next - x) < 1e-12 * Math.Max(1, Math.Abs(x)))
            {
                return Math.Abs(Npv(next)) < 1e-6 * Scale(flows) ? next : Bisect();
            }
            x = next;
        }
        return Bisect();

        double? Bisect()
        {
            var low = -1 + 1e-9;
            var high = 1.0;
            var fLow = Npv(low);
            var fHigh = Npv(high);
            while (Math.Sign(fLow) == Math.Sign(fHigh) && high < 1e9)
            {
                high *= 10;
                fHigh = Npv(high);
            }
            if (Math.Sign(fLow) == Math.Sign(fHigh) || double.IsNaN(fLow) || double.IsNaN(fHigh))
            {
                return null;
            }
            for (var i = 0; i < 300 && high - low > 1e-12 * Math.Max(1, Math.Abs(low)); i++)
            {
                var mid = (low + high) / 2;
                var fMid = Npv(mid);
                if (fMid == 0)
                {
                    return mid;
                }
                if (Math.Sign(fMid) == Math.Sign(fLow))
                {
                    (low, fLow) = (mid, fMid);
                }
                else
                {
                    high = mid;
                }
            }
            return (low + high) / 2;
        }
    }

    private static double Scale(IReadOnlyList<(DateOnly Date, double Amount)> flows)
    {
        var scale = 1.0;
        foreach (var (_, amount) in flows)
        {
            scale = Math.Max(scale, Math.Abs(amount));
        }
        return scale;
    }

    /// <summary>A ratio as a decimal fraction rounded to 8 places; null when it is not a finite, representable number.</summary>
    public static decimal? ToFraction(double? value) =>
        value is { } v && double.IsFinite(v) && Math.Abs(v) < 1e12 ? Math.Round((decimal)v, 8) : null;
}
