namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// The arithmetic of performance, pure (no database, no clock) so the tests check it by hand. Returns and growth are
/// doubles (ratios, powers and square roots); amounts stay decimal until here.
/// </summary>
public static class PerformanceMath
{
    public const int TradingDaysPerYear = 252;

    /// <summary>
    /// One session's time-weighted return, money in at the START of the day and money out at its END:
    /// r = (V + O) / (V₋₁ + I) − 1, where V is the value at the close, V₋₁ the previous close, I ≥ 0 the money put in that
    /// day and O ≥ 0 the money taken out (<paramref name="outflow"/> is its negative, as <see cref="Ledger.ExternalFlow"/>
    /// signs it). Money that came in works from the previous close on (a buy at an intraday price is measured from what
    /// was paid for it, never against a base it was not part of); money that went out worked until it left. When
    /// nothing was held the evening before (V₋₁ = 0) the base is the day's inflow alone (a first buy from its price to
    /// the close); when the base is zero or less (nothing held, nothing paid in) the day has no return: 0.
    /// </summary>
    /// <param name="inflow">The day's money in, ≥ 0.</param>
    /// <param name="outflow">The day's money out, ≤ 0 (a withdrawal or, without cash, a sale of 1,020 is −1,020).</param>
    public static double DailyReturn(decimal previousValue, decimal value, decimal inflow, decimal outflow)
    {
        var start = Math.Max(previousValue, 0) + inflow;
        if (start <= 0)
        {
            return 0;
        }
        return (double)((value - outflow) / start) - 1;
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
    /// <paramref name="periodDays"/> is the length of the rate's period: 365 (per year), or the range's own length for
    /// a period return that is not annualised (<see cref="MoneyWeighted"/>).
    /// </summary>
    public static double? Xirr(IReadOnlyList<(DateOnly Date, double Amount)> flows, double periodDays = 365)
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
            years[i] = (flows[i].Date.DayNumber - first.DayNumber) / periodDays;
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

    /// <summary>
    /// A range's money-weighted return: annualised (XIRR) when the range is a year (365 days) or longer; for a shorter
    /// range, the return over the range itself — the same equation solved with the range's length as the period, i.e.
    /// (1 + XIRR)^(days / 365) − 1 — so a 1 % day reads 1 %, not (1.01)³⁶⁵ − 1 ≈ 3,678 %.
    /// </summary>
    public static double? MoneyWeighted(IReadOnlyList<(DateOnly Date, double Amount)> flows, DateOnly from, DateOnly to)
    {
        var days = to.DayNumber - from.DayNumber;
        return Xirr(flows, days >= 365 ? 365 : Math.Max(days, 1));
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
