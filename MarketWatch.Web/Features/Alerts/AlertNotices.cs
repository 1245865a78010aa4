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
    decimal Price, decimal? Value, string? Note, DateTimeOffset FiredAt, int? IndicatorPeriod = null)
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

    public async Task<IReadOnlyList<Notice?>> SamplesAsync(IReadOnlyList<TestSample> tests, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var ids = tests.Where(t => t.SourceId is not null).Select(t => t.SourceId!.Value).Distinct().ToList();
        var facts = ids.Count == 0 ? [] : await SampleFactsAsync(db, ids, cancellationToken);
        return tests.Select(t => t.SourceId is { } alertId
                ? facts.TryGetValue(alertId, out var sample) ? Compose(sample with { FiredAt = t.At }, zone) : null
                : Compose(GenericSample(t.At), zone))
            .ToList();
    }

    /// <summary>Words the facts in the current UI culture, times in <paramref name="zone"/>.</summary>
    private Notice Compose(FiringFacts f, TimeZoneInfo zone)
    {
        var condition = AlertText.Describe(f.Condition, f.Level, f.Level2, f.WindowMinutes, L, f.IndicatorPeriod);
        var price = Format.Mad(f.Price, L);
        var time = AlertText.Time(f.FiredAt, zone);
        var position = AlertRules.IsPosition(f.Condition) ? AlertText.Position(f.Ticker, f.Level, f.Level2, f.Price, f.Value, L) : null;
        // An indicator's firing says what it measured: "ATW crossed above its 50-day SMA (742.10)".
        position ??= AlertRules.IsIndicator(f.Condition) ? AlertText.Fired(f.Ticker, f.Condition, f.IndicatorPeriod, f.Level, f.Value, L) : null;
        var title = position is not null ? f.IsTest ? L["Test — {0}", position] : position
            : f.IsTest ? L["Test — {0}: {1}", f.Ticker, condition] : L["{0}: {1}", f.Ticker, condition];
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
            indicatorPeriod = f.IndicatorPeriod,
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
                x.Price, x.Value, x.Note, x.FiredAt, x.IndicatorPeriod))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Samples of what these alerts will send, by alert: the rule, its first instrument at the latest price (dated
    /// when the caller says). Two queries, whatever the number of alerts.
    /// </summary>
    public static async Task<Dictionary<long, FiringFacts>> SampleFactsAsync(DbContext db, IReadOnlyCollection<long> alertIds, CancellationToken cancellationToken)
    {
        var alerts = await db.Set<Alert>().AsNoTracking().Where(a => alertIds.Contains(a.Id))
            .Select(a => new
            {
                a.Id, a.Condition, a.Level, a.Level2, a.WindowMinutes, a.Note, a.IndicatorPeriod,
                InstrumentId = a.InstrumentId ?? a.Targets.OrderBy(t => t.InstrumentId).Select(t => (int?)t.InstrumentId).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var instrumentIds = alerts.Where(a => a.InstrumentId is not null).Select(a => a.InstrumentId!.Value).Distinct().ToList();
        var instruments = await db.Instruments.AsNoTracking().Where(i => instrumentIds.Contains(i.Id))
            .Select(i => new { i.Id, i.Ticker, i.Name, Last = db.Set<Quote>().Where(q => q.InstrumentId == i.Id).Select(q => (decimal?)q.Last).FirstOrDefault() })
            .ToDictionaryAsync(i => i.Id, cancellationToken);
        return alerts.Where(a => a.InstrumentId is { } id && instruments.ContainsKey(id)).ToDictionary(a => a.Id, a =>
        {
            var instrument = instruments[a.InstrumentId!.Value];
            return new FiringFacts(null, a.Id, instrument.Ticker, instrument.Name, a.Condition, a.Level, a.Level2, a.WindowMinutes,
                instrument.Last ?? a.Level ?? 0, null, a.Note, DateTimeOffset.MinValue, a.IndicatorPeriod);
        });
    }

    /// <summary>A test from the notification settings (no alert behind it): a sample on the exchange's best-known stock.</summary>
    public static FiringFacts GenericSample(DateTimeOffset now) =>
        new(null, null, "ATW", "Attijariwafa Bank", AlertCondition.CrossesUp, 500m, null, null, 505m, null, null, now);
}
