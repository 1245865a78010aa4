using MarketWatch.Web.Features.Notifications;

namespace MarketWatch.Tests.Features.Notifications;

public sealed class QuietHoursTests
{
    private static readonly TimeZoneInfo Casablanca = TimeZoneInfo.FindSystemTimeZoneById("Africa/Casablanca");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeOnly TenPm = new(22, 0);
    private static readonly TimeOnly SevenAm = new(7, 0);

    /// <summary>A wall-clock time in Casablanca in June (UTC+1, outside Ramadan).</summary>
    private static DateTimeOffset June(int day, int hour, int minute = 0) => new(2026, 6, day, hour, minute, 0, TimeSpan.FromHours(1));

    [Test]
    public void Outside_the_quiet_hours_it_is_not_quiet()
    {
        Assert.That(QuietHours.EndsAt(new TimeOnly(12, 0), new TimeOnly(14, 0), Casablanca, June(10, 11, 59)), Is.Null);
        Assert.That(QuietHours.EndsAt(new TimeOnly(12, 0), new TimeOnly(14, 0), Casablanca, June(10, 14, 0)), Is.Null, "the end is not quiet");
        Assert.That(QuietHours.EndsAt(new TimeOnly(12, 0), new TimeOnly(14, 0), Casablanca, June(10, 20, 0)), Is.Null);
    }

    [Test]
    public void Inside_a_same_day_window_it_is_quiet_until_its_end_today()
    {
        var end = QuietHours.EndsAt(new TimeOnly(12, 0), new TimeOnly(14, 0), Casablanca, June(10, 13, 15));
        Assert.That(end, Is.EqualTo(June(10, 14, 0)));
        Assert.That(end!.Value.Offset, Is.EqualTo(TimeSpan.Zero), "in UTC, as PostgreSQL stores it");
        Assert.That(TimeZoneInfo.ConvertTime(end.Value, Casablanca).TimeOfDay, Is.EqualTo(TimeSpan.FromHours(14)), "14:00 on the user's clock");
        Assert.That(QuietHours.EndsAt(new TimeOnly(12, 0), new TimeOnly(14, 0), Casablanca, June(10, 12, 0)), Is.EqualTo(June(10, 14, 0)),
            "the start is quiet");
    }

    [Test]
    public void A_window_over_midnight_ends_the_next_morning_when_it_started_this_evening()
    {
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, June(10, 23, 30)), Is.EqualTo(June(11, 7, 0)));
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, June(10, 22, 0)), Is.EqualTo(June(11, 7, 0)));
    }

    [Test]
    public void A_window_over_midnight_ends_this_morning_when_it_is_already_morning()
    {
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, June(11, 6, 0)), Is.EqualTo(June(11, 7, 0)));
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, June(11, 0, 0)), Is.EqualTo(June(11, 7, 0)));
    }

    [Test]
    public void A_window_over_midnight_is_not_quiet_in_the_daytime()
    {
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, June(10, 12, 0)), Is.Null);
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, June(10, 7, 0)), Is.Null);
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, June(10, 21, 59)), Is.Null);
    }

    [Test]
    public void The_same_start_and_end_or_a_missing_bound_means_no_quiet_hours()
    {
        foreach (var now in new[] { June(10, 3, 0), June(10, 12, 0), June(10, 23, 0) })
        {
            Assert.That(QuietHours.EndsAt(TenPm, TenPm, Casablanca, now), Is.Null);
            Assert.That(QuietHours.EndsAt(null, SevenAm, Casablanca, now), Is.Null);
            Assert.That(QuietHours.EndsAt(TenPm, null, Casablanca, now), Is.Null);
            Assert.That(QuietHours.EndsAt(null, null, Casablanca, now), Is.Null);
        }
    }

    [Test]
    public void The_hours_are_the_users_local_hours_whatever_the_offset_of_now()
    {
        // 21:30 UTC is 22:30 in Casablanca in June: quiet. The same instant written in UTC or in New York time.
        var utc = new DateTimeOffset(2026, 6, 10, 21, 30, 0, TimeSpan.Zero);
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, utc), Is.EqualTo(June(11, 7, 0)));
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, utc.ToOffset(TimeSpan.FromHours(-4))), Is.EqualTo(June(11, 7, 0)));
        // 20:30 UTC is 21:30 there: not yet.
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, utc.AddHours(-1)), Is.Null);
        // And 22:30 UTC in New York is 18:30: not quiet there.
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, NewYork, utc.AddHours(1)), Is.Null);
    }

    [Test]
    public void Casablanca_at_utc_during_ramadan_and_utc_plus_one_after_it()
    {
        // Ramadan 2026: Morocco is on UTC+0 from 15 February until 22 March 03:00 (+01).
        var lateEvening = new DateTimeOffset(2026, 3, 21, 23, 30, 0, TimeSpan.Zero);
        var end = QuietHours.EndsAt(TenPm, SevenAm, Casablanca, lateEvening);
        Assert.That(end, Is.EqualTo(new DateTimeOffset(2026, 3, 22, 7, 0, 0, TimeSpan.FromHours(1))));
        Assert.That(end - lateEvening, Is.EqualTo(TimeSpan.FromHours(6.5)), "the night is an hour shorter");

        var duringRamadan = new DateTimeOffset(2026, 3, 1, 6, 30, 0, TimeSpan.Zero);
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, Casablanca, duringRamadan), Is.EqualTo(new DateTimeOffset(2026, 3, 1, 7, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public void New_York_across_the_spring_and_autumn_clock_changes()
    {
        // 7 March 2026, 23:30 EST; clocks go forward at 02:00 on 8 March: 07:00 is EDT.
        var spring = new DateTimeOffset(2026, 3, 7, 23, 30, 0, TimeSpan.FromHours(-5));
        var end = QuietHours.EndsAt(TenPm, SevenAm, NewYork, spring);
        Assert.That(end, Is.EqualTo(new DateTimeOffset(2026, 3, 8, 7, 0, 0, TimeSpan.FromHours(-4))));
        Assert.That(NewYork.GetUtcOffset(end!.Value), Is.EqualTo(TimeSpan.FromHours(-4)), "07:00 daylight time");
        Assert.That(end - spring, Is.EqualTo(TimeSpan.FromHours(6.5)));

        // 31 October 2026, 23:30 EDT; clocks go back at 02:00 on 1 November: 07:00 is EST.
        var autumn = new DateTimeOffset(2026, 10, 31, 23, 30, 0, TimeSpan.FromHours(-4));
        end = QuietHours.EndsAt(TenPm, SevenAm, NewYork, autumn);
        Assert.That(end, Is.EqualTo(new DateTimeOffset(2026, 11, 1, 7, 0, 0, TimeSpan.FromHours(-5))));
        Assert.That(end - autumn, Is.EqualTo(TimeSpan.FromHours(8.5)));

        // Early on the morning after the change, the end is still today's 07:00.
        var morning = new DateTimeOffset(2026, 3, 8, 4, 0, 0, TimeSpan.FromHours(-4));
        Assert.That(QuietHours.EndsAt(TenPm, SevenAm, NewYork, morning), Is.EqualTo(new DateTimeOffset(2026, 3, 8, 7, 0, 0, TimeSpan.FromHours(-4))));
    }

    [Test]
    public void An_end_in_the_hour_skipped_by_the_clock_change_moves_to_just_after_it()
    {
        // 02:30 does not exist in New York on 8 March 2026 (01:59 EST is followed by 03:00 EDT).
        var end = QuietHours.EndsAt(TenPm, new TimeOnly(2, 30), NewYork, new DateTimeOffset(2026, 3, 7, 23, 0, 0, TimeSpan.FromHours(-5)));
        Assert.That(end, Is.EqualTo(new DateTimeOffset(2026, 3, 8, 3, 0, 0, TimeSpan.FromHours(-4))));
    }

    [Test]
    public void The_start_of_the_day_is_local_midnight()
    {
        // 00:30 local on 10 June in Casablanca is still 9 June in UTC.
        Assert.That(QuietHours.StartOfDay(Casablanca, new DateTimeOffset(2026, 6, 9, 23, 30, 0, TimeSpan.Zero)), Is.EqualTo(June(10, 0, 0)));
        Assert.That(QuietHours.StartOfDay(Casablanca, new DateTimeOffset(2026, 6, 10, 22, 59, 0, TimeSpan.Zero)), Is.EqualTo(June(10, 0, 0)));
        Assert.That(QuietHours.StartOfDay(Casablanca, new DateTimeOffset(2026, 6, 10, 23, 0, 0, TimeSpan.Zero)), Is.EqualTo(June(11, 0, 0)));

        // The day the clocks change in New York starts at midnight EST, 23 hours before the next one.
        var changeDay = QuietHours.StartOfDay(NewYork, new DateTimeOffset(2026, 3, 8, 15, 0, 0, TimeSpan.Zero));
        Assert.That(changeDay, Is.EqualTo(new DateTimeOffset(2026, 3, 8, 0, 0, 0, TimeSpan.FromHours(-5))));
        var nextDay = QuietHours.StartOfDay(NewYork, new DateTimeOffset(2026, 3, 9, 15, 0, 0, TimeSpan.Zero));
        Assert.That(nextDay - changeDay, Is.EqualTo(TimeSpan.FromHours(23)));
        Assert.That(NewYork.GetUtcOffset(nextDay), Is.EqualTo(TimeSpan.FromHours(-4)));
    }

    [Test]
    public void An_unknown_zone_falls_back_to_the_default()
    {
        Assert.That(QuietHours.Zone("Not/AZone").Id, Is.EqualTo("Africa/Casablanca"));
        Assert.That(QuietHours.Zone(null).Id, Is.EqualTo("Africa/Casablanca"));
        Assert.That(QuietHours.Zone("America/New_York").Id, Is.EqualTo("America/New_York"));
    }
}
