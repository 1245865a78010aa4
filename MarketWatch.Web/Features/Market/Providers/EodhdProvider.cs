using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Market.Providers;

/// <summary>
/// Delayed quotes and daily bars from EOD Historical Data (symbols TICKER.BC). The caller sets the HttpClient's
/// BaseAddress to <see cref="EodhdOptions.BaseUrl"/>; every request here is relative to it.
/// The API token travels in the query string, so no request URI is ever put in a message or a log.
/// </summary>
public sealed class EodhdProvider : IMarketDataProvider
{
    private const string Source = "EODHD";

    // Static because the typed client builds a new provider per resolution, while EODHD counts per API key.
    private static readonly ProviderRateLimit RateLimit = new();

    private readonly HttpClient _http;
    private readonly EodhdOptions _options;
    private readonly ILogger<EodhdProvider> _logger;
    private readonly TimeProvider _clock;

    public EodhdProvider(HttpClient http, IOptions<MarketDataOptions> options, ILogger<EodhdProvider> logger, TimeProvider clock)
    {
        _http = http;
        _options = options.Value.Eodhd;
        _logger = logger;
        _clock = clock;
        ProviderHttp.EnsureBaseAddress(_http, _options.BaseUrl);
    }

    public string Name => "Eodhd";

    public ProviderCapabilities Capabilities => ProviderCapabilities.Quotes | ProviderCapabilities.DailyHistory;

    public int MaxSymbolsPerRequest => Math.Max(1, _options.MaxSymbolsPerRequest);

    public TimeSpan PollInterval => TimeSpan.FromSeconds(Math.Max(1, _options.PollSeconds));

    public bool IsSimulated => false;

    /// <summary>Forgets the shared limiter so the next request builds one from its options (tests change the limit).</summary>
    internal static void ResetRateLimiter() => RateLimit.Reset();

    public async Task<ProviderSnapshot> GetQuotesAsync(IReadOnlyList<string> tickers, CancellationToken cancellationToken)
    {
        // Symbol → the caller's ticker, in the caller's order.
        var symbols = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var ticker in tickers)
        {
            if (!string.IsNullOrWhiteSpace(ticker))
            {
                symbols.TryAdd(Symbol(ticker), ticker);
            }
        }
        if (symbols.Count == 0)
        {
            return ProviderSnapshot.Empty;
        }
        RequireToken();

        var problems = new List<string>();
        var quotes = new List<ProviderQuote>();
        var answered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // The ingest batches too, but a caller that does not must not produce an over-long request.
        foreach (var batch in symbols.Keys.Chunk(MaxSymbolsPerRequest))
        {
            using var document = await GetJsonAsync(RealTimeUri(batch), "real-time", cancellationToken);
            var root = document.RootElement;
            // One symbol comes back as an object, several as an array.
            IEnumerable<JsonElement> rows = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray(),
                JsonValueKind.Object => [root],
                _ => throw new ProviderException($"{Source} real-time: expected an object or a list, got {root.ValueKind}"),
            };

            foreach (var row in rows)
            {
                var code = ProviderValues.Text(row, "code")?.Trim();
                if (code is null || !symbols.TryGetValue(code, out var ticker) || !answered.Add(code))
                {
                    continue;
                }
                if (!ProviderValues.TryReadPrice(row, "close", out var last, out var problem))
                {
                    problems.Add($"{ticker}: {problem}");
                    continue;
                }
                quotes.Add(new ProviderQuote(
                    ticker,
                    last,
                    ReadTime(row) ?? _clock.GetUtcNow(),
                    Open: ProviderValues.Price(row, "open"),
                    High: ProviderValues.Price(row, "high"),
                    Low: ProviderValues.Price(row, "low"),
                    PreviousClose: ProviderValues.Price(row, "previousClose"),
                    Volume: ProviderValues.Count(row, "volume")));
            }
        }

        foreach (var (symbol, ticker) in symbols)
        {
            if (!answered.Contains(symbol))
            {
                problems.Add($"{ticker}: not in the EODHD response");
            }
        }
        return new ProviderSnapshot(quotes, [], problems);
    }

    public async Task<IReadOnlyList<ProviderBar>> GetDailyHistoryAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (from > to)
        {
            return [];
        }
        RequireToken();

        var uri = $"eod/{Uri.EscapeDataString(Symbol(ticker))}?from={Day(from)}&to={Day(to)}&period=d&order=a&fmt=json&api_token={Uri.EscapeDataString(_options.ApiToken)}";
        using var document = await GetJsonAsync(uri, "eod", cancellationToken);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderException($"{Source} eod: expected a list, got {document.RootElement.ValueKind}");
        }

        var bars = new Dictionary<DateOnly, ProviderBar>();
        var skipped = new List<string>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var text = ProviderValues.Text(item, "date");
            if (!DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                skipped.Add($"date unreadable ('{text}')");
                continue;
            }
            var open = ProviderValues.Price(item, "open");
            var high = ProviderValues.Price(item, "high");
            var low = ProviderValues.Price(item, "low");
            var close = ProviderValues.Price(item, "close");
            if (open is null || high is null || low is null || close is null)
            {
                skipped.Add($"{Day(date)}: a price is missing or unreadable");
                continue;
            }
            bars.TryAdd(date, new ProviderBar(
                ticker, date, open.Value, high.Value, low.Value, close.Value,
                ProviderValues.Price(item, "adjusted_close"),
                ProviderValues.Count(item, "volume") ?? 0));
        }

        if (skipped.Count > 0)
        {
            _logger.LogWarning(
                "EODHD daily bars for {Ticker}: skipped {Count} unreadable rows, e.g. {Examples}",
                ticker, skipped.Count, string.Join("; ", skipped.Take(5)));
        }
        return bars.Values.Where(b => b.Date >= from && b.Date <= to).OrderBy(b => b.Date).ToList();
    }

    /// <summary>Not offered: the instrument list comes from the exchange's own data.</summary>
    public Task<IReadOnlyList<ProviderInstrument>> SearchAsync(string query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderInstrument>>([]);

    private string Symbol(string ticker)
    {
        var suffix = _options.ExchangeSuffix.Trim().TrimStart('.');
        var bare = ticker.Trim().ToUpperInvariant();
        return suffix.Length == 0 ? bare : $"{bare}.{suffix.ToUpperInvariant()}";
    }

    private string RealTimeUri(IReadOnlyList<string> batch)
    {
        var uri = $"real-time/{Uri.EscapeDataString(batch[0])}?api_token={Uri.EscapeDataString(_options.ApiToken)}&fmt=json";
        if (batch.Count > 1)
        {
            // Commas stay literal, as in EODHD's documentation.
            uri += "&s=" + string.Join(',', batch.Skip(1).Select(Uri.EscapeDataString));
        }
        return uri;
    }

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ReadTime(JsonElement row)
    {
        if (!ProviderValues.TryGet(row, "timestamp", out var value))
        {
            return null;
        }
        long? seconds = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var n) => n,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
        return seconds is > 0 and < 253_402_300_800 ? DateTimeOffset.FromUnixTimeSeconds(seconds.Value) : null;
    }

    private void RequireToken()
    {
        if (string.IsNullOrWhiteSpace(_options.ApiToken))
        {
            throw new ProviderException($"{Source}: no API token is configured (MarketData:Eodhd:ApiToken)");
        }
    }

    private async Task<JsonDocument> GetJsonAsync(string uri, string what, CancellationToken cancellationToken)
    {
        await RateLimit.WaitAsync(_options.RequestsPerMinute, Source, cancellationToken);
        try
        {
            return await ProviderHttp.GetJsonAsync(_http, uri, $"{Source} {what}", DescribeStatus, cancellationToken);
        }
        catch (ProviderException ex) when (ContainsToken(ex))
        {
            // No message built here names the URI, but an inner exception's might; drop it rather than leak the key.
            throw new ProviderException(Redact(ex.Message));
        }
    }

    private static string? DescribeStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.PaymentRequired => "EODHD quota used up (402)",
        HttpStatusCode.Unauthorized => "EODHD rejected the API token (401)",
        HttpStatusCode.Forbidden => "EODHD rejected the API token (403)",
        HttpStatusCode.TooManyRequests => "EODHD rate limit (429)",
        _ => null,
    };

    private bool ContainsToken(Exception ex)
    {
        var token = _options.ApiToken;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }
        var escaped = Uri.EscapeDataString(token);
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains(token, StringComparison.Ordinal) || e.Message.Contains(escaped, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private string Redact(string message) =>
        message.Replace(_options.ApiToken, "***", StringComparison.Ordinal)
            .Replace(Uri.EscapeDataString(_options.ApiToken), "***", StringComparison.Ordinal);
}
