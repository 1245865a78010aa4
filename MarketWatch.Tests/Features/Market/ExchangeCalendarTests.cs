using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;

namespace MarketWatch.Tests.Features.Market;

public sealed class ExchangeCalendarTests
{
    private static readonly ExchangeCalendar Calendar = new(CalendarSeed.IslamicHolidays, CalendarSeed.Ramadan);

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute) =>
        ExchangeCalendar.At(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    [TestCase(8, 5, MarketPhase.Closed)]
    [TestCase(8, 10, MarketPhase.PreOpen)]
    [TestCase(9, 0, MarketPhase.OpeningAuction)]
    [TestCase(9, 29, MarketPhase.OpeningAuction)]
    [TestCase(9, 30, MarketPhase.Continuous)]
    [TestCase(15, 19, MarketPhase.Continuous)]
    [TestCase(15, 20, MarketPhase.ClosingAuction)]
    [TestCase(15, 35, MarketPhase.TradingAtLast)]
    [TestCase(15, 40, MarketPhase.Closed)]
    [TestCase(22, 0, MarketPhase.Closed)]
    public void A_regular_wednesday_goes_through_every_phase(int hour, int minute, MarketPhase expected) =>
        Assert.That(Calendar.PhaseAt(Local(2026, 11, 25, hour, minute)), Is.EqualTo(expected));

    [Test]
    public void Weekends_and_fixed_holidays_are_closed_with_their_name()
    {
        Assert.That(Calendar.PhaseAt(Local(2026, 11, 28, 11, 0)), Is.EqualTo(MarketPhase.Closed), "Saturday");
        Assert.That(Calendar.PhaseAt(Local(2026, 11, 29, 11, 0)), Is.EqualTo(MarketPhase.Closed), "Sunday");
        var independence = Calendar.StatusAt(Local(2026, 11, 18, 11, 0));
        Assert.That((independence.Phase, independence.HolidayName), Is.EqualTo((MarketPhase.Closed, "Independence Day")));
        Assert.That(Calendar.IsTradingDay(new DateOnly(2027, 1, 11)), Is.False, "Independence Manifesto Day, any year");
        Assert.That(Calendar.IsTradingDay(new DateOnly(2026, 11, 19)), Is.True);
    }

    [Test]
    public void Islamic_holidays_come_from_the_admins_list()
    {
        Assert.That(Calendar.HolidayName(new DateOnly(2026, 5, 27)), Is.EqualTo("Eid al-Adha"));
        Assert.That(Calendar.PhaseAt(Local(2026, 5, 27, 11, 0)), Is.EqualTo(MarketPhase.Closed));
        var withoutList = ExchangeCalendar.WithoutMovableHolidays;
        Assert.That(withoutList.PhaseAt(Local(2026, 5, 27, 11, 0)), Is.EqualTo(MarketPhase.Continuous));
    }

    [Test]
    public void Ramadan_has_shorter_hours()
    {
        // Monday 2 March 2026, in Ramadan: opening auction 09:15, continuous 09:45–13:20, closing auction to 13:30.
        Assert.That(Calendar.PhaseAt(Local(2026, 3, 2, 9, 20)), Is.EqualTo(MarketPhase.OpeningAuction));
        Assert.That(Calendar.PhaseAt(Local(2026, 3, 2, 10, 0)), Is.EqualTo(MarketPhase.Continuous));
        Assert.That(Calendar.PhaseAt(Local(2026, 3, 2, 13, 25)), Is.EqualTo(MarketPhase.ClosingAuction));
        Assert.That(Calendar.PhaseAt(Local(2026, 3, 2, 14, 0)), Is.EqualTo(MarketPhase.Closed));
        Assert.That(Calendar.PhaseAt(Local(2026, 3, 2, 15, 0)), Is.EqualTo(MarketPhase.Closed), "a regular day would still trade at 15:00");
    }

    [Test]
    public void Morocco_moves_its_clocks_back_an_hour_for_ramadan_and_the_sessions_follow_local_time()
    {
        // Outside Ramadan Casablanca is UTC+1: 09:00 local is 08:00 UTC.
        Assert.That(Local(2026, 11, 25, 9, 0).UtcDateTime, Is.EqualTo(new DateTime(2026, 11, 25, 8, 0, 0)));
        // From 15 February to 22 March 2026 it is UTC+0: Ramadan's 09:15 auction is 09:15 UTC.
        Assert.That(Local(2026, 3, 2, 9, 15).UtcDateTime, Is.EqualTo(new DateTime(2026, 3, 2, 9, 15, 0)));
        // The same UTC instant, 08:30, is before the open in winter and pre-open in Ramadan.
        Assert.That(Calendar.PhaseAt(new DateTimeOffset(2026, 2, 10, 8, 30, 0, TimeSpan.Zero)), Is.EqualTo(MarketPhase.Continuous), "09:30 local, UTC+1");
        Assert.That(Calendar.PhaseAt(new DateTimeOffset(2026, 2, 16, 8, 30, 0, TimeSpan.Zero)), Is.EqualTo(MarketPhase.PreOpen), "08:30 local, UTC+0, Friday before Ramadan");
    }

    [Test]
    public void Next_open_skips_weekends_holidays_and_the_clock_change()
    {
        // Friday 20 March 2026 is Eid al-Fitr; the next session is Monday 23 March, after the clocks went forward on the 22nd.
        var next = Calendar.NextOpen(Local(2026, 3, 19, 16, 0));
        Assert.That(next.UtcDateTime, Is.EqualTo(new DateTime(2026, 3, 23, 8, 0, 0)));
        Assert.That(TimeZoneInfo.ConvertTime(next, ExchangeCalendar.Zone).TimeOfDay, Is.EqualTo(new TimeSpan(9, 0, 0)));

        // Friday evening → Monday 09:00.
        Assert.That(Calendar.NextOpen(Local(2026, 11, 27, 16, 0)), Is.EqualTo(Local(2026, 11, 30, 9, 0)));
        // Before the open on a trading day → the same day.
        Assert.That(Calendar.NextOpen(Local(2026, 11, 25, 7, 0)), Is.EqualTo(Local(2026, 11, 25, 9, 0)));
    }

    [Test]
    public void A_phase_knows_when_it_ends()
    {
        Assert.That(Calendar.PhaseEnds(Local(2026, 11, 25, 10, 0)), Is.EqualTo(Local(2026, 11, 25, 15, 20)));
        Assert.That(Calendar.PhaseEnds(Local(2026, 11, 25, 20, 0)), Is.Null);
    }

    [Test]
    public void Trading_days_between_two_dates_leave_out_weekends_and_holidays()
    {
        var days = Calendar.TradingDays(new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 22)).ToList();
        Assert.That(days, Is.EqualTo(new[] { new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 17), new DateOnly(2026, 11, 19), new DateOnly(2026, 11, 20) }));
        Assert.That(Calendar.PreviousTradingDay(new DateOnly(2026, 11, 19)), Is.EqualTo(new DateOnly(2026, 11, 17)));
    }

    [Test]
    public void The_catalogue_has_all_77_equities_and_34_indices()
    {
        var equities = Catalogue.Equities();
        Assert.That(equities, Has.Count.EqualTo(77));
        Assert.That(equities.Select(e => e.Ticker), Is.Unique);
        var atw = equities.Single(e => e.Ticker == "ATW");
        Assert.That((atw.Name, atw.Isin, atw.SharesOutstanding, atw.ReferencePrice), Is.EqualTo(("Attijariwafa Bank", "MA0000012445", 215140839L, 755.0m)));
        Assert.That(equities.Where(e => e.SharesOutstanding is null).All(e => e.EstimatedShares > 0), Is.True, "unknown share counts are estimated from market cap");
        Assert.That(Catalogue.IndexNames(), Has.Count.EqualTo(34));
        Assert.That(Catalogue.Fold("Société Générale"), Is.EqualTo("societe generale"));
    }
}
