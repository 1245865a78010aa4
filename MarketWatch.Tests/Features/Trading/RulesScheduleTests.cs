using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Trading;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// When an order's session is and when it dies (<see cref="OrderSchedule"/>). Reference values:
/// the regular day's continuous trading 09:30–15:20, Monday to Friday, and the fixed public holidays
/// (/work/shared/data/providers.md, "The exchange's trading day"; <see cref="SessionHours.Regular"/> and
/// <see cref="ExchangeCalendar.FixedHolidays"/>); the movable holidays and Ramadan's continuous session 09:45–13:20 of
/// the seeded admin lists (<see cref="CalendarSeed"/>: Ramadan 19 Feb–19 Mar 2026, Eid al-Fitr 20–21 Mar 2026).
/// Times are exchange time (Africa/Casablanca), compared as such.
/// </summary>
public sealed class RulesScheduleTests
{
    private static readonly ExchangeCalendar Calendar = new(CalendarSeed.IslamicHolidays, CalendarSeed.Ramadan);

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute) =>
        ExchangeCalendar.At(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    private static DateTime InExchangeTime(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, ExchangeCalendar.Zone).DateTime;

    private static DateTimeOffset Expires(DateTimeOffset now, OrderValidity validity, DateOnly? on = null) =>
        OrderSchedule.ExpiresAt(Calendar, now, validity, on, 90);

    [Test]
    public void The_reference_days_are_the_weekdays_the_tests_say()
    {
        Assert.That(new DateOnly(2027, 1, 8).DayOfWeek, Is.EqualTo(DayOfWeek.Friday));
        Assert.That(new DateOnly(2027, 1, 11).DayOfWeek, Is.EqualTo(DayOfWeek.Monday));
        Assert.That(Calendar.HolidayName(new DateOnly(2027, 1, 11)), Is.EqualTo("Independence Manifesto Day"), "11 January, a fixed holiday");
        Assert.That(new DateOnly(2026, 3, 19).DayOfWeek, Is.EqualTo(DayOfWeek.Thursday));
        Assert.That(Calendar.HolidayName(new DateOnly(2026, 3, 20)), Is.EqualTo("Eid al-Fitr"));
        Assert.That(Calendar.HoursOn(new DateOnly(2026, 3, 2)).ContinuousEnd, Is.EqualTo(new TimeOnly(13, 20)), "Ramadan 2026");
    }

    [TestCase(8, 0, "2026-11-25", Description = "before the open: today's session")]
    [TestCase(9, 30, "2026-11-25", Description = "at the open")]
    [TestCase(15, 19, "2026-11-25", Description = "the last minute of continuous trading")]
    [TestCase(15, 20, "2026-11-26", Description = "from the close of continuous trading: the next day's")]
    [TestCase(15, 35, "2026-11-26", Description = "trading at last fills nothing for us")]
    [TestCase(23, 0, "2026-11-26")]
    public void A_regular_wednesday_s_orders_belong_to_today_until_the_close(int hour, int minute, string session) =>
        Assert.That(OrderSchedule.SessionDate(Calendar, Local(2026, 11, 25, hour, minute)), Is.EqualTo(DateOnly.Parse(session)));

    [Test]
    public void A_weekend_order_belongs_to_monday()
    {
        Assert.That(OrderSchedule.SessionDate(Calendar, Local(2026, 11, 28, 11, 0)), Is.EqualTo(new DateOnly(2026, 11, 30)), "Saturday");
        Assert.That(OrderSchedule.SessionDate(Calendar, Local(2026, 11, 27, 16, 0)), Is.EqualTo(new DateOnly(2026, 11, 30)), "Friday after the close");
    }

    [Test]
    public void A_friday_evening_day_order_before_a_monday_holiday_lives_until_tuesday_s_close()
    {
        var fridayEvening = Local(2027, 1, 8, 19, 0);
        Assert.That(OrderSchedule.SessionDate(Calendar, fridayEvening), Is.EqualTo(new DateOnly(2027, 1, 12)));
        Assert.That(InExchangeTime(Expires(fridayEvening, OrderValidity.Day)), Is.EqualTo(new DateTime(2027, 1, 12, 15, 20, 0)));
        // Entered on the holiday itself: the same.
        Assert.That(InExchangeTime(Expires(Local(2027, 1, 11, 10, 0), OrderValidity.Day)), Is.EqualTo(new DateTime(2027, 1, 12, 15, 20, 0)));
    }

    [Test]
    public void A_day_order_in_ramadan_dies_at_the_special_session_s_close()
    {
        // Monday 2 March 2026: continuous trading 09:45–13:20.
        Assert.That(InExchangeTime(Expires(Local(2026, 3, 2, 9, 0), OrderValidity.Day)), Is.EqualTo(new DateTime(2026, 3, 2, 13, 20, 0)));
        Assert.That(InExchangeTime(Expires(Local(2026, 3, 2, 13, 19), OrderValidity.Day)), Is.EqualTo(new DateTime(2026, 3, 2, 13, 20, 0)));
        // At 14:00 a regular day would still trade; Ramadan's session is over: Tuesday's session, also Ramadan's.
        Assert.That(OrderSchedule.SessionDate(Calendar, Local(2026, 3, 2, 14, 0)), Is.EqualTo(new DateOnly(2026, 3, 3)));
        Assert.That(InExchangeTime(Expires(Local(2026, 3, 2, 14, 0), OrderValidity.Day)), Is.EqualTo(new DateTime(2026, 3, 3, 13, 20, 0)));
    }

    [Test]
    public void After_ramadan_s_last_session_a_day_order_skips_eid_and_the_weekend_to_a_regular_monday()
    {
        // Thursday 19 March 2026, the last Ramadan day, after its 13:20 close; Eid al-Fitr Friday and Saturday, then Sunday.
        var now = Local(2026, 3, 19, 14, 0);
        Assert.That(OrderSchedule.SessionDate(Calendar, now), Is.EqualTo(new DateOnly(2026, 3, 23)));
        Assert.That(InExchangeTime(Expires(now, OrderValidity.Day)), Is.EqualTo(new DateTime(2026, 3, 23, 15, 20, 0)), "regular hours again");
    }

    [Test]
    public void The_close_is_the_end_of_continuous_trading_in_exchange_time()
    {
        Assert.That(OrderSchedule.CloseOf(Calendar, new DateOnly(2026, 11, 25)), Is.EqualTo(Local(2026, 11, 25, 15, 20)));
        Assert.That(OrderSchedule.CloseOf(Calendar, new DateOnly(2026, 3, 2)), Is.EqualTo(Local(2026, 3, 2, 13, 20)));
    }

    [Test]
    public void Expiry_times_are_in_utc_as_the_database_stores_them()
    {
        // Npgsql refuses to write a timestamptz with any other offset (Morocco is UTC+1 outside Ramadan).
        foreach (var validity in Enum.GetValues<OrderValidity>())
        {
            Assert.That(Expires(Local(2026, 11, 25, 10, 0), validity, new DateOnly(2026, 12, 4)).Offset, Is.EqualTo(TimeSpan.Zero), $"{validity}");
        }
        Assert.That(OrderSchedule.CloseOf(Calendar, new DateOnly(2026, 11, 25)), Is.EqualTo(new DateTimeOffset(2026, 11, 25, 14, 20, 0, TimeSpan.Zero)));
    }

    [Test]
    public void A_good_till_date_on_a_trading_day_dies_at_that_day_s_close()
    {
        var now = Local(2026, 11, 25, 10, 0);
        Assert.That(InExchangeTime(Expires(now, OrderValidity.GoodTillDate, new DateOnly(2026, 12, 4))), Is.EqualTo(new DateTime(2026, 12, 4, 15, 20, 0)));
    }

    [Test]
    public void A_good_till_date_on_a_non_trading_day_dies_at_the_close_of_the_last_trading_day_before_it()
    {
        var now = Local(2026, 11, 2, 10, 0);
        // Sunday 8 November 2026 → Saturday, then Friday 6 November (Green March), so Thursday 5 November.
        Assert.That(InExchangeTime(Expires(now, OrderValidity.GoodTillDate, new DateOnly(2026, 11, 8))), Is.EqualTo(new DateTime(2026, 11, 5, 15, 20, 0)));
        // Wednesday 18 November 2026 (Independence Day) → Tuesday 17.
        Assert.That(InExchangeTime(Expires(now, OrderValidity.GoodTillDate, new DateOnly(2026, 11, 18))), Is.EqualTo(new DateTime(2026, 11, 17, 15, 20, 0)));
    }

    [Test]
    public void A_good_till_date_never_dies_before_its_own_session()
    {
        // Entered Friday evening with Saturday as its date: its session is Monday's; it lives through Monday.
        var fridayEvening = Local(2026, 11, 27, 20, 0);
        Assert.That(InExchangeTime(Expires(fridayEvening, OrderValidity.GoodTillDate, new DateOnly(2026, 11, 28))),
            Is.EqualTo(new DateTime(2026, 11, 30, 15, 20, 0)));
        Assert.That(InExchangeTime(Expires(fridayEvening, OrderValidity.GoodTillDate, new DateOnly(2026, 11, 20))),
            Is.EqualTo(new DateTime(2026, 11, 30, 15, 20, 0)), "a date already past");
        Assert.That(InExchangeTime(Expires(fridayEvening, OrderValidity.GoodTillDate)), Is.EqualTo(new DateTime(2026, 11, 30, 15, 20, 0)), "no date");
    }

    [Test]
    public void Good_till_cancelled_lives_ninety_days()
    {
        // Wednesday 25 November 2026 + 90 days = Tuesday 23 February 2027, in Ramadan 2027 (8 Feb–9 Mar): its 13:20 close.
        Assert.That(InExchangeTime(Expires(Local(2026, 11, 25, 10, 0), OrderValidity.GoodTillCancelled)),
            Is.EqualTo(new DateTime(2027, 2, 23, 13, 20, 0)));
        // Monday 2 November 2026 + 90 days = Sunday 31 January 2027 → Friday 29 January.
        Assert.That(InExchangeTime(Expires(Local(2026, 11, 2, 10, 0), OrderValidity.GoodTillCancelled)),
            Is.EqualTo(new DateTime(2027, 1, 29, 15, 20, 0)));
    }
}
