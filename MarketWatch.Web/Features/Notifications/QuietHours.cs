namespace MarketWatch.Web.Features.Notifications;

/// <summary>Quiet hours in the user's own time zone. A start after the end wraps midnight (22:00–07:00).</summary>
public static class QuietHours
{
    /// <summary>When the quiet hours that contain <paramref name="now"/> end, or null when it is not quiet.</summary>
    public static DateTimeOffset? EndsAt(TimeOnly? start, TimeOnly? end, TimeZoneInfo zone, DateTimeOffset now)
    {
        if (start is not { } from || end is not { } to || from == to)
        {
            return null;
        }
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var date = DateOnly.FromDateTime(local.DateTime);
        bool quiet;
        DateOnly endDate;
        if (from < to)
        {
            quiet = time >= from && time < to;
            endDate = date;
        }
        else
        {
            // Wraps midnight: quiet late in the evening (ends tomorrow) or early in the morning (ends today).
            quiet = time >= from || time < to;
            endDate = time >= from ? date.AddDays(1) : date;
        }
        return quiet ? AtLocal(endDate, to, zone) : null;
    }

    /// <summary>A local wall-clock time as an instant (in UTC, as PostgreSQL stores it); a time skipped by a clock change moves to just after it.</summary>
    private static DateTimeOffset AtLocal(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static TimeZoneInfo Zone(string? id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id ?? Accounts.ApplicationUser.DefaultTimeZone);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.FindSystemTimeZoneById(Accounts.ApplicationUser.DefaultTimeZone);
        }
    }

    /// <summary>Midnight of the user's current day, for the daily caps.</summary>
    public static DateTimeOffset StartOfDay(TimeZoneInfo zone, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        return AtLocal(DateOnly.FromDateTime(local.DateTime), TimeOnly.MinValue, zone);
    }
}
