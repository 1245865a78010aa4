namespace MarketWatch.Web.Features.Market.Calendar;

public enum MarketPhase
{
    Closed,
    PreOpen,
    OpeningAuction,
    Continuous,
    ClosingAuction,
    /// <summary>Trading at the closing price, after the closing auction.</summary>
    TradingAtLast,
}

/// <summary>The times of one trading day, in exchange time (Africa/Casablanca).</summary>
public sealed record SessionHours(
    TimeOnly PreOpen, TimeOnly OpeningAuction, TimeOnly ContinuousStart, TimeOnly ContinuousEnd, TimeOnly ClosingAuctionEnd, TimeOnly TradingAtLastEnd)
{
    /// <summary>The regular day: pre-open 08:10, opening auction 09:00, continuous 09:30–15:20, closing auction to 15:30, trading at last to 15:40.</summary>
    public static readonly SessionHours Regular = new(new(8, 10), new(9, 0), new(9, 30), new(15, 20), new(15, 30), new(15, 40));

    /// <summary>A shorter day (Ramadan): the auctions keep their lengths around the given continuous session.</summary>
    public static SessionHours Around(TimeOnly continuousStart, TimeOnly continuousEnd) => new(
        continuousStart.AddMinutes(-50), continuousStart.AddMinutes(-30), continuousStart, continuousEnd,
        continuousEnd.AddMinutes(10), continuousEnd.AddMinutes(20));
}

/// <summary>The market's state at one moment, for the status badge and the API.</summary>
public sealed record MarketStatus(MarketPhase Phase, DateTimeOffset Now, DateTimeOffset NextOpen, DateTimeOffset? PhaseEnds, string? HolidayName)
{
    public bool IsTrading => Phase is MarketPhase.Continuous or MarketPhase.OpeningAuction or MarketPhase.ClosingAuction or MarketPhase.TradingAtLast;
    public TimeSpan UntilNextOpen => NextOpen - Now;
}

/// <summary>
/// The Casablanca Stock Exchange calendar in Africa/Casablanca time: weekends, fixed public holidays,
/// the movable Islamic holidays and special sessions (Ramadan) given by the admins' list.
/// The time-zone database handles Morocco's clock changes (UTC+1, and UTC+0 during Ramadan).
/// </summary>
public sealed class ExchangeCalendar
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Africa/Casablanca");

    /// <summary>Fixed-date public holidays (month, day, English name used as a resource key).</summary>
    public static readonly IReadOnlyList<(int Month, int Day, string Name)> FixedHolidays =
    [
        (1, 1, "New Year's Day"),
        (1, 11, "Independence Manifesto Day"),
        (1, 14, "Amazigh New Year"),
        (5, 1, "Labour Day"),
        (7, 30, "Throne Day"),
        (8, 14, "Oued Ed-Dahab Day"),
        (8, 20, "Revolution of the King and the People"),
        (8, 21, "Youth Day"),
        (11, 6, "Green March"),
        (11, 18, "Independence Day"),
    ];

    private readonly Dictionary<DateOnly, string> _movable;
    private readonly IReadOnlyList<SpecialSession> _special;

    public ExchangeCalendar(IEnumerable<Holiday> movableHolidays, IEnumerable<SpecialSession> specialSessions)
    {
        _movable = movableHolidays.GroupBy(h => h.Date).ToDictionary(g => g.Key, g => g.First().Name);
        _special = specialSessions.OrderBy(s => s.From).ToList();
    }

    public static ExchangeCalendar WithoutMovableHolidays { get; } = new([], []);

    public string? HolidayName(DateOnly date)
    {
        if (_movable.TryGetValue(date, out var name))
        {
            return name;
        }
        foreach (var (month, day, fixedName) in FixedHolidays)
        {
            if (date.Month == month && date.Day == day)
            {
                return fixedName;
            }
        }
        return null;
    }

    public bool IsTradingDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && HolidayName(date) is null;

    public SessionHours HoursOn(DateOnly date)
    {
        var special = _special.LastOrDefault(s => s.From <= date && date <= s.To);
        return special is null ? SessionHours.Regular : SessionHours.Around(special.ContinuousStart, special.ContinuousEnd);
    }

    public static DateOnly ExchangeDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>
    /// Seconds of exchange wall-clock time at <paramref name="instant"/> (read as if UTC): how charts stamp bars, and
    /// what the stock page gives the chart for a live quote. The browser does not convert with its own time-zone data,
    /// which can disagree with the server's (Chromium's and Debian's did for Africa/Casablanca in December 2026).
    /// </summary>
    public static long WallClockSeconds(DateTimeOffset instant) => instant.ToUnixTimeSeconds() + (long)Zone.GetUtcOffset(instant).TotalSeconds;

    public static DateTimeOffset At(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    public MarketPhase PhaseAt(DateTimeOffset instant)
    {
        var date = ExchangeDate(instant);
        if (!IsTradingDay(date))
        {
            return MarketPhase.Closed;
        }
        var h = HoursOn(date);
        var time = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);
        if (time < h.PreOpen || time >= h.TradingAtLastEnd)
        {
            return MarketPhase.Closed;
        }
        if (time < h.OpeningAuction)
        {
            return MarketPhase.PreOpen;
        }
        if (time < h.ContinuousStart)
        {
            return MarketPhase.OpeningAuction;
        }
        if (time < h.ContinuousEnd)
        {
            return MarketPhase.Continuous;
        }
        return time < h.ClosingAuctionEnd ? MarketPhase.ClosingAuction : MarketPhase.TradingAtLast;
    }

    /// <summary>When the phase in force at <paramref name="instant"/> ends (null when closed).</summary>
    public DateTimeOffset? PhaseEnds(DateTimeOffset instant)
    {
        var phase = PhaseAt(instant);
        if (phase == MarketPhase.Closed)
        {
            return null;
        }
        var date = ExchangeDate(instant);
        var h = HoursOn(date);
        var end = phase switch
        {
            MarketPhase.PreOpen => h.OpeningAuction,
            MarketPhase.OpeningAuction => h.ContinuousStart,
            MarketPhase.Continuous => h.ContinuousEnd,
            MarketPhase.ClosingAuction => h.ClosingAuctionEnd,
            _ => h.TradingAtLastEnd,
        };
        return At(date, end);
    }

    /// <summary>The next start of the opening auction strictly after <paramref name="instant"/>.</summary>
    public DateTimeOffset NextOpen(DateTimeOffset instant)
    {
        var date = ExchangeDate(instant);
        for (var i = 0; i < 400; i++, date = date.AddDays(1))
        {
            if (!IsTradingDay(date))
            {
                continue;
            }
            var open = At(date, HoursOn(date).OpeningAuction);
            if (open > instant)
            {
                return open;
            }
        }
        throw new InvalidOperationException("No trading day within 400 days: check the holiday list.");
    }

    public MarketStatus StatusAt(DateTimeOffset instant)
    {
        var date = ExchangeDate(instant);
        return new MarketStatus(PhaseAt(instant), instant, NextOpen(instant), PhaseEnds(instant),
            IsTradingDay(date) ? null : HolidayName(date));
    }

    public IEnumerable<DateOnly> TradingDays(DateOnly from, DateOnly to)
    {
        for (var date = from; date <= to; date = date.AddDays(1))
        {
            if (IsTradingDay(date))
            {
                yield return date;
            }
        }
    }

    /// <summary>The last trading day strictly before <paramref name="date"/>.</summary>
    public DateOnly PreviousTradingDay(DateOnly date)
    {
        do
        {
            date = date.AddDays(-1);
        }
        while (!IsTradingDay(date));
        return date;
    }
}
