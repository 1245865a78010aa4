using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Market.Providers;

/// <summary>
/// Prices from the exchange's own website: the undocumented JSON endpoints its pages call (see docs on providers).
/// The caller sets the HttpClient's BaseAddress to <see cref="CasablancaBourseOptions.BaseUrl"/>; every request here is relative to it.
/// </summary>
public sealed class CasablancaBourseProvider : IMarketDataProvider
{
    internal const string TickerUri = "bourse/dashboard/ticker?marche=59&class[]=50";
    internal const string IndicesUri = "bourse/dashboard/grouped_index_watch";
    internal const int HistoryPageSize = 250;
    internal const int MaxHistoryPages = 20;

    private const string Source = "Casablanca Bourse";

    private const string HistoryFields =
        "symbol,created,openingPrice,coursCourant,highPrice,lowPrice,cumulTitresEchanges,cumulVolumeEchange,"
        + "totalTrades,capitalisation,coursAjuste,closingPrice,ratioConsolide";

    // Static because the typed client builds a new provider per resolution, while the website sees one caller.
    private static readonly ProviderRateLimit RateLimit = new();

    private static readonly TimeZoneInfo ExchangeZone = TimeZoneInfo.FindSystemTimeZoneById("Africa/Casablanca");

    private readonly HttpClient _http;
    private readonly CasablancaBourseOptions _options;
    private readonly ILogger<CasablancaBourseProvider> _logger;
    private readonly TimeProvider _clock;
    private Dictionary<string, string>? _aliases;

    public CasablancaBourseProvider(
        HttpClient http, IOptions<MarketDataOptions> options, ILogger<CasablancaBourseProvider> logger, TimeProvider clock)
    {
        _http = http;
        _options = options.Value.CasablancaBourse;
        _logger = logger;
        _clock = clock;
        ProviderHttp.EnsureBaseAddress(_http, _options.BaseUrl);
    }

    public string Name => "CasablancaBourse";

    public ProviderCapabilities Capabilities =>
        ProviderCapabilities.Quotes | ProviderCapabilities.DailyHistory | ProviderCapabilities.IndexLevels | ProviderCapabilities.BidAsk;

    /// <summary>One ticker request returns every equity, so the ingest need not batch.</summary>
    public int MaxSymbolsPerRequest => int.MaxValue;

    public TimeSpan PollInterval => TimeSpan.FromSeconds(Math.Max(1, _options.PollSeconds));

    public bool IsSimulated => false;

    /// <summary>Forgets the shared limiter so the next request builds one from its options (tests change the limit).</summary>
    internal static void ResetRateLimiter() => RateLimit.Reset();

    public async Task<ProviderSnapshot> GetQuotesAsync(IReadOnlyList<string> tickers, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var ticker in tickers)
        {
            if (!string.IsNullOrWhiteSpace(ticker))
            {
                wanted.TryAdd(ticker.Trim(), ticker);
            }
        }

        // The dashboard carries no per-row time: the poll's time is the best we have.
        var now = _clock.GetUtcNow();
        var problems = new List<string>();
        var quotes = new List<ProviderQuote>();

        using (var document = await GetJsonAsync(TickerUri, "ticker", cancellationToken))
        {
            if (!ProviderValues.TryGetPath(document.RootElement, out var values, "data", "values") || values.ValueKind != JsonValueKind.Array)
            {
                throw new ProviderException($"{Source} ticker: the response has no data.values list");
            }

            // The exchange's ticker is the key; a row under another spelling (an alias) counts only when no row
            // carries the exact ticker.
            var rows = new Dictionary<string, (JsonElement Row, bool Exact)>(StringComparer.OrdinalIgnoreCase);
            foreach (var row in values.EnumerateArray())
            {
                var code = (ProviderValues.Text(row, "ticker") ?? ProviderValues.Text(row, "field_symbol"))?.Trim();
                if (string.IsNullOrEmpty(code))
                {
                    continue;
                }
                var exact = wanted.ContainsKey(code);
                var key = exact ? code : Aliases.GetValueOrDefault(code);
                if (key is null || !wanted.ContainsKey(key))
                {
                    continue;
                }
                if (!rows.TryGetValue(key, out var existing) || (exact && !existing.Exact))
                {
                    rows[key] = (row, exact);
                }
            }

            foreach (var (code, ticker) in wanted)
            {
                if (!rows.TryGetValue(code, out var found))
                {
                    problems.Add($"{ticker}: not in the dashboard ticker");
                    continue;
                }
                var row = found.Row;
                if (!ProviderValues.TryReadPrice(row, "field_cours_courant", out var last, out var problem))
                {
                    // Before its first trade of the day a stock has no last price ("-" or empty): it has no new quote
                    // yet, which is not a fault. The reference price is not a trade and is never passed off as one.
                    if (!ProviderValues.Present(row, "field_cours_courant") && !HasTradedToday(row))
                    {
                        continue;
                    }
                    problems.Add($"{ticker}: {problem}");
                    continue;
                }

                quotes.Add(new ProviderQuote(
                    ticker,
                    last,
                    now,
                    Open: ProviderValues.Price(row, "field_opening_price"),
                    High: ProviderValues.Price(row, "field_high_price"),
                    Low: ProviderValues.Price(row, "field_low_price"),
                    // The static reference price is what the daily limits are computed from, i.e. the previous close as the exchange sees it.
                    PreviousClose: ProviderValues.Price(row, "field_static_reference_price"),
                    Volume: ProviderValues.Count(row, "field_cumul_titres_echanges"),
                    ValueTraded: ProviderValues.Amount(row, "field_cumul_volume_echange"),
                    Bid: ProviderValues.Price(row, "field_best_bid_price"),
                    Ask: ProviderValues.Price(row, "field_best_ask_price")));
            }
        }

        IReadOnlyList<ProviderIndexLevel> indices = [];
        try
        {
            indices = await GetIndicesAsync(now, problems, cancellationToken);
        }
        catch (ProviderException ex)
        {
            // Index levels are secondary: losing them must not cost the quotes.
            _logger.LogWarning(ex, "Casablanca Bourse index levels failed; quotes are kept");
            problems.Add($"indices: {ex.Message}");
        }

        return new ProviderSnapshot(quotes, indices, problems);
    }

    /// <summary>Catalogue ticker for each alias: the built-in spellings, then the configured ones (which win).</summary>
    private IReadOnlyDictionary<string, string> Aliases
    {
        get
        {
            if (_aliases is null)
            {
                var aliases = new Dictionary<string, string>(CasablancaBourseOptions.DefaultTickerAliases, StringComparer.OrdinalIgnoreCase);
                foreach (var (alias, ticker) in _options.TickerAliases)
                {
                    if (!string.IsNullOrWhiteSpace(alias) && !string.IsNullOrWhiteSpace(ticker))
                    {
                        aliases[alias.Trim()] = ticker.Trim();
                    }
                }
                _aliases = aliases;
            }
            return _aliases;
        }
    }

    /// <summary>Shares or trades reported for the session; "-", empty and absent all say "none yet".</summary>
    private static bool HasTradedToday(JsonElement row) =>
        ProviderValues.Count(row, "field_cumul_titres_echanges") > 0 || ProviderValues.Count(row, "field_total_trades") > 0;

    private async Task<IReadOnlyList<ProviderIndexLevel>> GetIndicesAsync(DateTimeOffset now, List<string> problems, CancellationToken cancellationToken)
    {
        using var document = await GetJsonAsync(IndicesUri, "indices", cancellationToken);
        if (!ProviderValues.TryGetPath(document.RootElement, out var groups, "data") || groups.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderException($"{Source} indices: the response has no data list");
        }

        var levels = new List<ProviderIndexLevel>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in groups.EnumerateArray())
        {
            if (!ProviderValues.TryGetPath(group, out var items, "items") || items.ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            foreach (var item in items.EnumerateArray())
            {
                var name = ProviderValues.Text(item, "index")?.Trim();
                // An index may be listed in several groups; the first listing wins.
                if (string.IsNullOrEmpty(name) || !seen.Add(name))
                {
                    continue;
                }
                if (!ProviderValues.TryReadPrice(item, "field_index_value", out var level, out var problem))
                {
                    problems.Add($"index {name}: {problem}");
                    continue;
                }
                var time = ProviderValues.TryGet(item, "field_transact_time", out var raw) ? ParseExchangeTime(raw, now) : null;
                levels.Add(new ProviderIndexLevel(name, level, ProviderValues.Price(item, "veille"), time ?? now));
            }
        }
        return levels;
    }

    public async Task<IReadOnlyList<ProviderBar>> GetDailyHistoryAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var instrumentId = FindInstrumentId(ticker)
            ?? throw new ProviderException($"no instrument id configured for {ticker}");
        if (from > to)
        {
            return [];
        }

        var bars = new Dictionary<DateOnly, ProviderBar>();
        var skipped = new List<string>();
        var offset = 0;
        for (var page = 1; ; page++)
        {
            using var document = await GetJsonAsync(HistoryUri(instrumentId, from, to, offset), "history", cancellationToken);
            var root = document.RootElement;
            if (!ProviderValues.TryGetPath(root, out var data, "data") || data.ValueKind != JsonValueKind.Array)
            {
                throw new ProviderException($"{Source} history: the response has no data list");
            }

            foreach (var item in data.EnumerateArray())
            {
                if (TryReadBar(ticker, item, out var bar, out var problem))
                {
                    // Pages can shift while the site publishes a new session; keep the first copy of a date.
                    bars.TryAdd(bar.Date, bar);
                }
                else
                {
                    skipped.Add(problem);
                }
            }

            var next = NextOffset(root, offset);
            if (next is null || data.GetArrayLength() == 0)
            {
                break;
            }
            if (page >= MaxHistoryPages)
            {
                _logger.LogWarning("Casablanca Bourse history for {Ticker}: stopped after {Pages} pages; older sessions are missing", ticker, page);
                break;
            }
            offset = next.Value;
        }

        if (skipped.Count > 0)
        {
            _logger.LogWarning(
                "Casablanca Bourse history for {Ticker}: skipped {Count} unreadable rows, e.g. {Examples}",
                ticker, skipped.Count, string.Join("; ", skipped.Take(5)));
        }

        return bars.Values.Where(b => b.Date >= from && b.Date <= to).OrderBy(b => b.Date).ToList();
    }

    /// <summary>The website has no search endpoint the adapter can rely on.</summary>
    public Task<IReadOnlyList<ProviderInstrument>> SearchAsync(string query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderInstrument>>([]);

    private string? FindInstrumentId(string ticker)
    {
        // Options bound from configuration may have replaced the case-insensitive dictionary.
        if (_options.InstrumentIds.TryGetValue(ticker, out var id) && !string.IsNullOrWhiteSpace(id))
        {
            return id.Trim();
        }
        foreach (var (key, value) in _options.InstrumentIds)
        {
            if (string.Equals(key, ticker, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }
        return null;
    }

    internal static string HistoryUri(string instrumentId, DateOnly from, DateOnly to, int offset)
    {
        static string E(string value) => Uri.EscapeDataString(value);
        var parts = new[]
        {
            "fields[instrument_history]=" + HistoryFields,
            "include=symbol",
            "sort=-created",
            "filter[instrument][condition][path]=symbol.meta.drupal_internal__target_id",
            "filter[instrument][condition][operator]=" + E("="),
            "filter[instrument][condition][value]=" + E(instrumentId),
            "filter[published]=1",
            "filter[from][condition][path]=field_seance_date",
            "filter[from][condition][operator]=" + E(">="),
            "filter[from][condition][value]=" + from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "filter[to][condition][path]=field_seance_date",
            "filter[to][condition][operator]=" + E("<="),
            "filter[to][condition][value]=" + to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "page[offset]=" + offset.ToString(CultureInfo.InvariantCulture),
            "page[limit]=" + HistoryPageSize.ToString(CultureInfo.InvariantCulture),
        };
        return "bourse_data/instrument_history?" + string.Join('&', parts);
    }

    /// <summary>
    /// The offset of the next page, or null when there is none. The link itself is not followed: behind the
    /// website's proxy it may name the backend's host, so only its page[offset] is taken.
    /// </summary>
    private static int? NextOffset(JsonElement root, int current)
    {
        if (!ProviderValues.TryGetPath(root, out var next, "links", "next"))
        {
            return null;
        }
        var href = next.ValueKind switch
        {
            JsonValueKind.String => next.GetString(),
            JsonValueKind.Object => ProviderValues.Text(next, "href"),
            _ => null,
        };
        if (string.IsNullOrWhiteSpace(href))
        {
            return null;
        }

        var question = href.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0
            && QueryHelpers.ParseQuery(href[question..]).TryGetValue("page[offset]", out var values)
            && int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            // A link that does not move forward would loop forever.
            return offset > current ? offset : null;
        }
        return current + HistoryPageSize;
    }

    private static bool TryReadBar(string ticker, JsonElement item, out ProviderBar bar, out string problem)
    {
        bar = null!;
        if (!ProviderValues.TryGetPath(item, out var attributes, "attributes") || attributes.ValueKind != JsonValueKind.Object)
        {
            problem = "item without attributes";
            return false;
        }
        var created = ProviderValues.Text(attributes, "created");
        var date = ParseSessionDate(created);
        if (date is null)
        {
            problem = $"created unreadable ('{created}')";
            return false;
        }

        var open = ProviderValues.Price(attributes, "openingPrice");
        var high = ProviderValues.Price(attributes, "highPrice");
        var low = ProviderValues.Price(attributes, "lowPrice");
        // closingPrice is published after the closing auction; until then the last trade is the best close.
        var close = ProviderValues.Price(attributes, "closingPrice") ?? ProviderValues.Price(attributes, "coursCourant");
        if (open is null || high is null || low is null || close is null)
        {
            problem = $"{date:yyyy-MM-dd}: a price is missing or unreadable";
            return false;
        }

        bar = new ProviderBar(
            ticker, date.Value, open.Value, high.Value, low.Value, close.Value,
            ProviderValues.Price(attributes, "coursAjuste"),
            ProviderValues.Count(attributes, "cumulTitresEchanges") ?? 0);
        problem = "";
        return true;
    }

    /// <summary>A session date given as "2025-08-18" or as a timestamp (whose date is taken in exchange time).</summary>
    internal static DateOnly? ParseSessionDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        if (ProviderValues.HasUtcOffset(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var stamped))
        {
            return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(stamped, ExchangeZone).DateTime);
        }
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return DateOnly.FromDateTime(local);
        }
        return null;
    }

    private static readonly string[] LocalTimeFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm",
        "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    private static readonly string[] TimeOfDayFormats = ["HH:mm:ss", "HH:mm", "H:mm:ss", "H:mm"];

    /// <summary>
    /// An index's last calculation time: a timestamp with an offset, unix seconds, or an exchange-local
    /// date-time or time of day (today in Casablanca). Null when unreadable.
    /// </summary>
    internal static DateTimeOffset? ParseExchangeTime(JsonElement value, DateTimeOffset now)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt64(out var seconds) ? FromUnixSeconds(seconds) : null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var text = value.GetString()?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
        {
            return FromUnixSeconds(unix);
        }
        if (ProviderValues.HasUtcOffset(text))
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var stamped)
                ? stamped.ToUniversalTime()
                : null;
        }
        if (DateTime.TryParseExact(text, LocalTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return FromExchangeLocal(local);
        }
        if (TimeOnly.TryParseExact(text, TimeOfDayFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timeOfDay))
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, ExchangeZone).DateTime);
            return FromExchangeLocal(today.ToDateTime(timeOfDay));
        }
        return null;
    }

    private static DateTimeOffset? FromUnixSeconds(long seconds) =>
        seconds > 0 && seconds < 253_402_300_800 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    private static DateTimeOffset? FromExchangeLocal(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // A time inside a clock change's gap does not exist; better "now" than a made-up instant.
        if (ExchangeZone.IsInvalidTime(local))
        {
            return null;
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, ExchangeZone), TimeSpan.Zero);
    }

    private async Task<JsonDocument> GetJsonAsync(string uri, string what, CancellationToken cancellationToken)
    {
        await RateLimit.WaitAsync(_options.RequestsPerMinute, Source, cancellationToken);
        return await ProviderHttp.GetJsonAsync(_http, uri, $"{Source} {what}", _ => null, cancellationToken);
    }
}
