using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>What a notification tells: a firing, or (no <see cref="FiringId"/>) a test sample of an alert, before it is worded.</summary>
public sealed record FiringFacts(
    long? FiringId, long? AlertId, string Ticker, string Name, AlertCondition Condition, decimal? Level, decimal? Level2, int? WindowMinutes,
    decimal Price, decimal? Value, string? Note, DateTimeOffset FiredAt)
{
    public bool IsTest => FiringId is null;
}

/// <summary>A firing worded for one reader (language and time zone); every channel takes the parts it needs.</summary>
public sealed record Notice(FiringFacts Facts, string Title, string Body, string Condition, string Price, string Time, string? Note,
    string InstrumentPath, string SettingsPath)
{
    public string Tag => Facts.AlertId is { } id ? $"alert-{id}-{Facts.Ticker}" : "marketwatch-test";

    /// <summary>One line for SMS: title, body and note.</summary>
    public string ShortText => $"MarketWatch: {Title}. {Body}" + (Note is null ? "" : " " + Note);
}

public static class AlertNotices
{
    /// <summary>Words the facts in the current UI culture, times in <paramref name="zone"/>.</summary>
    public static Notice Compose(FiringFacts f, TimeZoneInfo zone, IStringLocalizer L)
    {
        var condition = AlertText.Describe(f.Condition, f.Level, f.Level2, f.WindowMinutes, L);
        var price = Format.Mad(f.Price, L);
        var time = AlertText.Time(f.FiredAt, zone);
        var title = f.IsTest ? L["Test — {0}: {1}", f.Ticker, condition] : L["{0}: {1}", f.Ticker, condition];
        var body = L["{0} at {1}", price, time];
        var note = AlertText.Note(f.Note, f.Ticker, price, condition, time);
        return new Notice(f, title, body, condition, price, time, note, "/stocks/" + Uri.EscapeDataString(f.Ticker),
            f.AlertId is { } id ? $"/alerts/{id}/edit" : "/account/manage/notifications");
    }

    /// <summary>The facts of these firings, in one query (the notification centre reads a page of them at once).</summary>
    public static Task<List<FiringFacts>> ForFiringsAsync(AppDbContext db, IReadOnlyCollection<long> firingIds, CancellationToken cancellationToken) =>
        db.Set<AlertFiring>().AsNoTracking().Where(x => firingIds.Contains(x.Id))
            .Select(x => new FiringFacts(x.Id, x.AlertId, x.Instrument.Ticker, x.Instrument.Name, x.Condition, x.Level, x.Level2, x.WindowMinutes,
                x.Price, x.Value, x.Note, x.FiredAt))
            .ToListAsync(cancellationToken);

    public static async Task<FiringFacts?> ForFiringAsync(AppDbContext db, long firingId, CancellationToken cancellationToken) =>
        (await ForFiringsAsync(db, [firingId], cancellationToken)).SingleOrDefault();

    /// <summary>A sample of what the alert will send: its rule, its first instrument at the latest price.</summary>
    public static async Task<FiringFacts?> SampleAsync(AppDbContext db, long alertId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var alert = await db.Set<Alert>().AsNoTracking().Where(a => a.Id == alertId)
            .Select(a => new
            {
                a.Id, a.Condition, a.Level, a.Level2, a.WindowMinutes, a.Note,
                InstrumentId = a.InstrumentId ?? a.Targets.OrderBy(t => t.InstrumentId).Select(t => (int?)t.InstrumentId).FirstOrDefault(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (alert?.InstrumentId is not { } instrumentId)
        {
            return null;
        }
        var instrument = await db.Instruments.AsNoTracking().Where(i => i.Id == instrumentId)
            .Select(i => new { i.Ticker, i.Name, Last = db.Quotes.Where(q => q.InstrumentId == i.Id).Select(q => (decimal?)q.Last).FirstOrDefault() })
            .SingleAsync(cancellationToken);
        return new FiringFacts(null, alert.Id, instrument.Ticker, instrument.Name, alert.Condition, alert.Level, alert.Level2, alert.WindowMinutes,
            instrument.Last ?? alert.Level ?? 0, null, alert.Note, now);
    }

    /// <summary>A test from the notification settings (no alert behind it): a sample on the exchange's best-known stock.</summary>
    public static FiringFacts GenericSample(DateTimeOffset now) =>
        new(null, null, "ATW", "Attijariwafa Bank", AlertCondition.CrossesUp, 500m, null, null, 505m, null, null, now);
}
