namespace MarketWatch.Web.Features.Market.Calendar;

/// <summary>
/// The movable Islamic holidays and Ramadan hours for the current and the next year, as first values of the
/// admin-editable lists (/admin/calendar). Their dates depend on the moon: admins confirm them each year.
/// </summary>
public static class CalendarSeed
{
    public static IReadOnlyList<Holiday> IslamicHolidays { get; } =
    [
        new() { Date = new(2026, 3, 20), Name = "Eid al-Fitr", IsIslamic = true },
        new() { Date = new(2026, 3, 21), Name = "Eid al-Fitr", IsIslamic = true },
        new() { Date = new(2026, 5, 27), Name = "Eid al-Adha", IsIslamic = true },
        new() { Date = new(2026, 5, 28), Name = "Eid al-Adha", IsIslamic = true },
        new() { Date = new(2026, 6, 16), Name = "Islamic New Year", IsIslamic = true },
        new() { Date = new(2026, 8, 25), Name = "Mawlid", IsIslamic = true },
        new() { Date = new(2026, 8, 26), Name = "Mawlid", IsIslamic = true },
        new() { Date = new(2027, 3, 10), Name = "Eid al-Fitr", IsIslamic = true },
        new() { Date = new(2027, 3, 11), Name = "Eid al-Fitr", IsIslamic = true },
        new() { Date = new(2027, 5, 17), Name = "Eid al-Adha", IsIslamic = true },
        new() { Date = new(2027, 5, 18), Name = "Eid al-Adha", IsIslamic = true },
        new() { Date = new(2027, 6, 6), Name = "Islamic New Year", IsIslamic = true },
        new() { Date = new(2027, 8, 15), Name = "Mawlid", IsIslamic = true },
        new() { Date = new(2027, 8, 16), Name = "Mawlid", IsIslamic = true },
    ];

    /// <summary>Ramadan: opening auction from 09:15, continuous 09:45–13:20, closing auction to 13:30.</summary>
    public static IReadOnlyList<SpecialSession> Ramadan { get; } =
    [
        new() { Name = "Ramadan", From = new(2026, 2, 19), To = new(2026, 3, 19), ContinuousStart = new(9, 45), ContinuousEnd = new(13, 20) },
        new() { Name = "Ramadan", From = new(2027, 2, 8), To = new(2027, 3, 9), ContinuousStart = new(9, 45), ContinuousEnd = new(13, 20) },
    ];
}
