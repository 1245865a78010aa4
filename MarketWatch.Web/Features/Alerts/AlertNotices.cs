using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Infrastructure;
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

/// <summary>
/// Alerts' words for the outbox: the firings it wrote (their ids are the outbox's event ids) and test samples of an
/// alert (the test source id), for every channel.
/// </summary>
public sealed class AlertNotices(DbContext db, PublicUrls urls, IStringLocalizer<SharedResource> L) : INoticeSource
{
    public async Task<IReadOnlyDictionary<long, Notice>> EventsAsync(IReadOnlyCollection<long> eventIds, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        (await ForFiringsAsync(db, eventIds, cancellationToken)).ToDictionary(f => f.FiringId!.Value, f => Compose(f, zone));

    public async Task<Notice?> SampleAsync(long? testSourceId, DateTimeOffset at, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var facts = testSourceId is { } alertId ? await SampleFactsAsync(db, alertId, at, cancellationToken) : GenericSample(at);
        return facts is null ? null : Compose(facts, zone);
    }

    /// <summary>Words the facts in the current UI culture, times in <paramref name="zone"/>.</summary>
    private Notice Compose(FiringFacts f, TimeZoneInfo zone)
    {
        var condition = AlertText.Describe(f.Condition, f.Level, f.Level2, f.WindowMinutes, L);
        var price = Format.Mad(f.Price, L);
        var time = AlertText.Time(f.FiredAt, zone);
        var title = f.IsTest ? L["Test — {0}: {1}", f.Ticker, condition] : L["{0}: {1}", f.Ticker, condition];
        var body = L["{0} at {1}", price, time];
        var note = AlertText.Note(f.Note, f.Ticker, price, condition, time);
        var instrumentPath = "/stocks/" + Uri.EscapeDataString(f.Ticker);
        var settingsPath = f.AlertId is { } id ? $"/alerts/{id}/edit" : "/account/manage/notifications";
        // The webhook body: stable field names and invariant values for machines, plus the worded message for people.
        var webhook = new
        {
            type = f.IsTest ? "alert.test" : "alert.triggered",
            alertId = f.AlertId,
            firingId = f.FiringId,
            ticker = f.Ticker,
            name = f.Name,
            condition = f.Condition.ToString(),
            level = f.Level,
            level2 = f.Level2,
            windowMinutes = f.WindowMinutes,
            price = f.Price,
            value = f.Value,
            firedAt = f.FiredAt,
            note,
            message = title + " — " + body,
            url = urls.Absolute(instrumentPath),
        };
        return new Notice(title, body, note, L["Alert: {0}", condition], L["View {0}", f.Ticker], instrumentPath,
            L["Change or stop this alert: {0}", urls.Absolute(settingsPath)],
            f.AlertId is null ? null : (string)L["Alert history"], f.AlertId is { } alertId ? $"/alerts/{alertId}" : null,
            f.AlertId is { } tagId ? $"alert-{tagId}-{f.Ticker}" : "marketwatch-test", webhook);
    }

    /// <summary>The facts of these firings, in one query (the notification centre reads a page of them at once).</summary>
    public static Task<List<FiringFacts>> ForFiringsAsync(DbContext db, IReadOnlyCollection<long> firingIds, CancellationToken cancellationToken) =>
        db.Set<AlertFiring>().AsNoTracking().Where(x => firingIds.Contains(x.Id))
            .Select(x => new FiringFacts(x.Id, x.AlertId, x.Instrument.Ticker, x.Instrument.Name, x.Condition, x.Level, x.Level2, x.WindowMinutes,
                x.Price, x.Value, x.Note, x.FiredAt))
            .ToListAsync(cancellationToken);

    /// <summary>A sample of what the alert will send: its rule, its first instrument at the latest price.</summary>
    public static async Task<FiringFacts?> SampleFactsAsync(DbContext db, long alertId, DateTimeOffset now, CancellationToken cancellationToken)
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
            .Select(i => new { i.Ticker, i.Name, Last = db.Set<Quote>().Where(q => q.InstrumentId == i.Id).Select(q => (decimal?)q.Last).FirstOrDefault() })
            .SingleAsync(cancellationToken);
        return new FiringFacts(null, alert.Id, instrument.Ticker, instrument.Name, alert.Condition, alert.Level, alert.Level2, alert.WindowMinutes,
            instrument.Last ?? alert.Level ?? 0, null, alert.Note, now);
    }

    /// <summary>A test from the notification settings (no alert behind it): a sample on the exchange's best-known stock.</summary>
    public static FiringFacts GenericSample(DateTimeOffset now) =>
        new(null, null, "ATW", "Attijariwafa Bank", AlertCondition.CrossesUp, 500m, null, null, 505m, null, null, now);
}
