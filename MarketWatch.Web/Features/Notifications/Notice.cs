namespace MarketWatch.Web.Features.Notifications;

/// <summary>
/// A message worded for one reader (language and time zone) by the feature that raised it; every channel takes
/// the parts it needs. Paths are relative to the site; <see cref="SettingsText"/> already holds its absolute link.
/// </summary>
public sealed record Notice(
    string Title,
    string Body,
    string? Note,
    string Detail,
    string LinkText,
    string LinkPath,
    string SettingsText,
    string? HistoryText,
    string? HistoryPath,
    string Tag,
    object WebhookBody)
{
    /// <summary>One line for SMS: title, body and note.</summary>
    public string ShortText => $"MarketWatch: {Title}. {Body}" + (Note is null ? "" : " " + Note);
}

/// <summary>
/// Words what the outbox holds. Notifications knows no feature: the feature that writes outbox rows implements
/// this (today Alerts, for its firings), and the delivery job, the notification centre and the live toasts ask it.
/// Called in the reader's UI culture.
/// </summary>
public interface INoticeSource
{
    /// <summary>
    /// Which feature's events these are: stored with each row it writes (<c>event_source</c>). Alerts are 0 (their event
    /// is <c>firing_id</c>); any other feature picks its own number and writes its event to <c>source_event_id</c>.
    /// Tests are always worded by source 0.
    /// </summary>
    short EventSource => 0;

    /// <summary>The notices of these events (the <c>EventId</c>s the feature wrote), by event id; missing ones are gone.</summary>
    Task<IReadOnlyDictionary<long, Notice>> EventsAsync(IReadOnlyCollection<long> eventIds, TimeZoneInfo zone, CancellationToken cancellationToken);

    /// <summary>
    /// What tests show, one notice per test in order: a sample of the feature's item (null when it no longer
    /// exists), or with no item a generic sample, dated when the test was sent. Read in one go (the notification
    /// centre shows a page of them).
    /// </summary>
    Task<IReadOnlyList<Notice?>> SamplesAsync(IReadOnlyList<TestSample> tests, TimeZoneInfo zone, CancellationToken cancellationToken);
}

/// <summary>A test delivery to word: of the feature's item <paramref name="SourceId"/> (or none), sent at <paramref name="At"/>.</summary>
public readonly record struct TestSample(long? SourceId, DateTimeOffset At);

/// <summary>Every feature's <see cref="INoticeSource"/>, picked by the source number a row carries.</summary>
public sealed class NoticeSources(IEnumerable<INoticeSource> sources)
{
    private readonly Dictionary<short, INoticeSource> _bySource = sources.ToDictionary(s => s.EventSource);

    /// <summary>The notices of these events of one source; an unknown source words none of them (they read as gone).</summary>
    public Task<IReadOnlyDictionary<long, Notice>> EventsAsync(short source, IReadOnlyCollection<long> eventIds, TimeZoneInfo zone,
        CancellationToken cancellationToken) =>
        _bySource.TryGetValue(source, out var notices)
            ? notices.EventsAsync(eventIds, zone, cancellationToken)
            : Task.FromResult<IReadOnlyDictionary<long, Notice>>(new Dictionary<long, Notice>());

    /// <summary>Tests are worded by source 0 (the alerts, whose channels a test tries).</summary>
    public Task<IReadOnlyList<Notice?>> SamplesAsync(IReadOnlyList<TestSample> tests, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        _bySource[0].SamplesAsync(tests, zone, cancellationToken);
}
