using System.Collections.Concurrent;
using System.Text;
using MarketWatch.Web.Features.Market.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MarketWatch.Tests.Features.Market.Providers;

/// <summary>
/// The Casablanca Bourse and EODHD adapters against a real HTTP server on 127.0.0.1 serving small fixtures written
/// from the providers' published field names (no live response was ever recorded).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ProviderAdapterTests
{
    private const string Token = "s3cr3t-T0ken-42";
    private const string CasablancaRoot = "/api/proxy/fr/api/";
    private const string EodhdRoot = "/api/";

    /// <summary>14:45 UTC is 15:45 in Casablanca (UTC+1 in August), after the close.</summary>
    private static readonly DateTimeOffset Now = new(2025, 8, 18, 14, 45, 0, TimeSpan.Zero);

    private readonly ConcurrentQueue<Received> _received = new();
    private readonly List<HttpClient> _clients = [];
    private WebApplication _server = null!;
    private string _url = "";

    private RequestDelegate _ticker = null!;
    private RequestDelegate _indices = null!;
    private RequestDelegate _history = null!;
    private RequestDelegate _realTime = null!;
    private RequestDelegate _eod = null!;

    private sealed record Received(string Path, IReadOnlyDictionary<string, string> Query);

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.Use(async (context, next) =>
        {
            _received.Enqueue(new Received(
                context.Request.Path.Value ?? "",
                context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString())));
            await next(context);
        });
        _server.MapGet(CasablancaRoot + "bourse/dashboard/ticker", context => _ticker(context));
        _server.MapGet(CasablancaRoot + "bourse/dashboard/grouped_index_watch", context => _indices(context));
        _server.MapGet(CasablancaRoot + "bourse_data/instrument_history", context => _history(context));
        _server.MapGet(EodhdRoot + "real-time/{symbol}", context => _realTime(context));
        _server.MapGet(EodhdRoot + "eod/{symbol}", context => _eod(context));
        await _server.StartAsync();
        _url = _server.Urls.First().TrimEnd('/');
    }

    [OneTimeTearDown]
    public async Task StopServerAsync() => await _server.DisposeAsync();

    [SetUp]
    public void Reset()
    {
        _received.Clear();
        _ticker = Serve("casablanca-ticker.json");
        _indices = Serve("casablanca-indices.json");
        _history = context => context.Request.Query["page[offset]"].ToString() switch
        {
            "0" => Serve("casablanca-history-page1.json")(context),
            "250" => Serve("casablanca-history-page2.json")(context),
            _ => Status(404)(context),
        };
        _realTime = context => Serve(context.Request.Query.ContainsKey("s") ? "eodhd-realtime-batch.json" : "eodhd-realtime-single.json")(context);
        _eod = Serve("eodhd-eod.json");
        // The limiters are static per provider class: start every test with a fresh one built from its own options.
        CasablancaBourseProvider.ResetRateLimiter();
        EodhdProvider.ResetRateLimiter();
    }

    [TearDown]
    public void ReleaseClients()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        _clients.Clear();
        CasablancaBourseProvider.ResetRateLimiter();
        EodhdProvider.ResetRateLimiter();
    }

    // ---- Casablanca Bourse: quotes and indices ----

    [Test]
    public async Task Parses_the_dashboard_ticker_into_quotes()
    {
        var snapshot = await Casablanca().GetQuotesAsync(["IAM", "ATW"], CancellationToken.None);

        Assert.That(snapshot.Quotes, Is.EqualTo(new[]
        {
            // French-formatted strings, with plain and non-breaking spaces between thousands.
            new ProviderQuote("IAM", 1234.50m, Now, Open: 1220.00m, High: 1240.00m, Low: 1215.10m, PreviousClose: 1210.00m,
                Volume: 12345, ValueTraded: 15234567.80m, Bid: 1234.00m, Ask: 1235.00m),
            // JSON numbers; no static reference price and no ask: left null, not guessed.
            new ProviderQuote("ATW", 512.3m, Now, Open: 510m, High: 515.5m, Low: 509.9m, PreviousClose: null,
                Volume: 40210, ValueTraded: 20581234.5m, Bid: 512.2m, Ask: null),
        }));
    }

    [Test]
    public async Task Returns_only_the_requested_tickers_and_lists_skipped_rows_in_problems()
    {
        _indices = Json("""{"data":[]}""");

        var snapshot = await Casablanca().GetQuotesAsync(["iam", "BCP", "XYZ"], CancellationToken.None);

        Assert.That(snapshot.Quotes.Select(q => (q.Ticker, q.Last)), Is.EqualTo(new[] { ("iam", 1234.50m) }));
        // BCP has not traded yet (no last price, no shares): no quote, and nothing wrong with the feed.
        Assert.That(snapshot.Problems, Is.EqualTo(new[] { "XYZ: not in the dashboard ticker" }));

        var ticker = _received.Single(r => r.Path.EndsWith("/bourse/dashboard/ticker", StringComparison.Ordinal));
        Assert.That(ticker.Path, Is.EqualTo(CasablancaRoot + "bourse/dashboard/ticker"));
        Assert.That(ticker.Query["marche"], Is.EqualTo("59"));
        Assert.That(ticker.Query["class[]"], Is.EqualTo("50"));
    }

    [Test]
    public async Task A_zero_or_unreadable_last_price_is_skipped_with_its_reason()
    {
        _ticker = Json("""
            {"data":{"values":[
              {"ticker":"IAM","field_cours_courant":"0,00"},
              {"ticker":"ATW","field_cours_courant":"abc"},
              {"ticker":"BCP","field_cours_courant":"290,5"}
            ]}}
            """);
        _indices = Json("""{"data":[]}""");

        var snapshot = await Casablanca().GetQuotesAsync(["IAM", "ATW", "BCP"], CancellationToken.None);

        Assert.That(snapshot.Quotes.Select(q => (q.Ticker, q.Last)), Is.EqualTo(new[] { ("BCP", 290.5m) }));
        Assert.That(snapshot.Problems, Is.EqualTo(new[]
        {
            "IAM: field_cours_courant not positive (0.00)",
            "ATW: field_cours_courant unreadable ('abc')",
        }));
    }

    // ---- Casablanca Bourse: what open-source clients of the dashboard report (docs/operations.md) ----

    [Test]
    public async Task Dashes_and_empty_strings_are_missing_values_never_zero()
    {
        _ticker = Serve("casablanca-ticker-dashes.json");
        _indices = Json("""{"data":[]}""");

        var snapshot = await Casablanca().GetQuotesAsync(["IAM"], CancellationToken.None);

        // Every "-" and "" is null (the ingest keeps what it knew), none is a zero that would read as a crash to 0.
        Assert.That(snapshot.Quotes, Is.EqualTo(new[]
        {
            new ProviderQuote("IAM", 118.40m, Now, Open: null, High: null, Low: null, PreviousClose: null,
                Volume: null, ValueTraded: null, Bid: null, Ask: null),
        }));
        Assert.That(snapshot.Problems, Is.Empty);
    }

    [Test]
    public async Task No_last_price_before_the_first_trade_is_no_quote_and_no_fault()
    {
        _ticker = Serve("casablanca-ticker-before-first-trade.json");
        _indices = Json("""{"data":[]}""");

        var snapshot = await Casablanca().GetQuotesAsync(["BCP", "CIH", "ATW", "IAM"], CancellationToken.None);

        // BCP ("-", 0 trades) and CIH ("", "-" shares) have not traded: no quote, neither the closing nor the reference
        // price passed off as a trade. ATW reports 14 trades without a last price: that one is a fault of the feed.
        Assert.That(snapshot.Quotes, Is.EqualTo(new[]
        {
            new ProviderQuote("IAM", 118.40m, Now, PreviousClose: 118.00m, Volume: 350),
        }));
        Assert.That(snapshot.Problems, Is.EqualTo(new[] { "ATW: field_cours_courant missing" }));
    }

    [Test]
    public async Task Rows_under_a_ticker_alias_are_read_as_the_exchange_ticker_and_an_exact_row_wins()
    {
        _ticker = Serve("casablanca-ticker-aliases.json");
        _indices = Json("""{"data":[]}""");

        var snapshot = await Casablanca(o => o.TickerAliases["attijari"] = "ATW")
            .GetQuotesAsync(["DRI", "MSA", "IBC", "ATW"], CancellationToken.None);

        Assert.That(snapshot.Quotes.Select(q => (q.Ticker, q.Last, q.PreviousClose)), Is.EqualTo(new[]
        {
            ("DRI", 4010.00m, (decimal?)4000.00m), // built-in alias DARI
            ("MSA", 945.00m, (decimal?)942.80m),   // built-in alias SOD
            ("IBC", 80.10m, (decimal?)79.90m),     // the exact IBC row, not the IBMC alias row
            ("ATW", 512.30m, (decimal?)null),      // configured alias, matched whatever its case
        }));
        Assert.That(snapshot.Problems, Is.Empty);
    }

    [Test]
    public async Task Parses_index_levels_from_grouped_index_watch()
    {
        var snapshot = await Casablanca().GetQuotesAsync(["IAM"], CancellationToken.None);

        Assert.That(snapshot.Indices, Is.EqualTo(new[]
        {
            // "2025-08-18 15:30:00" is Casablanca time, UTC+1 in August.
            new ProviderIndexLevel("MASI", 18456.23m, 18390.05m, new DateTimeOffset(2025, 8, 18, 14, 30, 0, TimeSpan.Zero)),
            // A bare time of day is today's, in Casablanca.
            new ProviderIndexLevel("MADEX", 14987.65m, 14950.1m, new DateTimeOffset(2025, 8, 18, 14, 25, 10, TimeSpan.Zero)),
            // No time at all: the poll's time.
            new ProviderIndexLevel("BANQUES", 12345.67m, null, Now),
        }));
        Assert.That(snapshot.Problems, Is.EqualTo(new[] { "index ASSURANCES: field_index_value missing" }));
        Assert.That(_received.Select(r => r.Path), Does.Contain(CasablancaRoot + "bourse/dashboard/grouped_index_watch"));
    }

    [Test]
    public async Task Quotes_survive_a_failed_index_request()
    {
        _indices = Status(500);

        var snapshot = await Casablanca().GetQuotesAsync(["IAM", "ATW"], CancellationToken.None);

        Assert.That(snapshot.Quotes, Has.Count.EqualTo(2));
        Assert.That(snapshot.Indices, Is.Empty);
        Assert.That(snapshot.Problems, Has.Exactly(1).Contains("indices").And.Contains("500"));
    }

    [Test]
    public void Malformed_ticker_json_throws_a_ProviderException()
    {
        _ticker = Serve("casablanca-ticker-malformed.json");

        var ex = Refused(() => Casablanca().GetQuotesAsync(["IAM"], CancellationToken.None));

        Assert.That(ex.Message, Does.Contain("not valid JSON"));
    }

    [Test]
    public void An_html_page_instead_of_json_throws_a_ProviderException()
    {
        _ticker = context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync("<html><body>Just a moment...</body></html>");
        };

        var ex = Refused(() => Casablanca().GetQuotesAsync(["IAM"], CancellationToken.None));

        Assert.That(ex.Message, Does.Contain("not valid JSON"));
    }

    [Test]
    public void A_ticker_without_data_values_throws_a_ProviderException()
    {
        _ticker = Serve("casablanca-ticker-no-values.json");

        var ex = Refused(() => Casablanca().GetQuotesAsync(["IAM"], CancellationToken.None));

        Assert.That(ex.Message, Does.Contain("data.values"));
    }

    [Test]
    public void Http_500_on_the_ticker_throws_a_ProviderException_with_the_status()
    {
        _ticker = Status(500);

        var ex = Refused(() => Casablanca().GetQuotesAsync(["IAM"], CancellationToken.None));

        Assert.That(ex.Message, Does.Contain("500"));
    }

    [Test]
    public void Describes_itself()
    {
        var provider = Casablanca(o => o.PollSeconds = 45);

        Assert.Multiple(() =>
        {
            Assert.That(provider.Name, Is.EqualTo("CasablancaBourse"));
            Assert.That(provider.Capabilities, Is.EqualTo(
                ProviderCapabilities.Quotes | ProviderCapabilities.DailyHistory | ProviderCapabilities.IndexLevels | ProviderCapabilities.BidAsk));
            Assert.That(provider.MaxSymbolsPerRequest, Is.EqualTo(int.MaxValue));
            Assert.That(provider.PollInterval, Is.EqualTo(TimeSpan.FromSeconds(45)));
            Assert.That(provider.IsSimulated, Is.False);
        });
    }

    [Test]
    public async Task Search_is_not_offered_by_the_website()
    {
        Assert.That(await Casablanca().SearchAsync("IAM", CancellationToken.None), Is.Empty);
        Assert.That(_received, Is.Empty);
    }

    // ---- Casablanca Bourse: history ----

    [Test]
    public async Task History_follows_links_next_and_sorts_ascending()
    {
        var bars = await Casablanca().GetDailyHistoryAsync("IAM", new DateOnly(2025, 8, 1), new DateOnly(2025, 8, 18), CancellationToken.None);

        Assert.That(bars, Is.EqualTo(new[]
        {
            // "2025-08-11T23:00:00Z" is midnight on the 12th in Casablanca.
            new ProviderBar("IAM", new DateOnly(2025, 8, 12), 1185.00m, 1191.00m, 1180.00m, 1189.00m, 1189.00m, 3000),
            new ProviderBar("IAM", new DateOnly(2025, 8, 13), 1190.00m, 1199.90m, 1188.00m, 1198.00m, 1198.00m, 5100),
            // No closingPrice: coursCourant stands in; no coursAjuste: null.
            new ProviderBar("IAM", new DateOnly(2025, 8, 15), 1201m, 1210.25m, 1199.75m, 1205.5m, null, 8020),
            new ProviderBar("IAM", new DateOnly(2025, 8, 18), 1220.00m, 1240.00m, 1215.10m, 1234.50m, 1234.50m, 12345),
            // 2025-08-14 has an unreadable close and is skipped.
        }));

        var requests = _received.Where(r => r.Path == CasablancaRoot + "bourse_data/instrument_history").ToList();
        Assert.That(requests.Select(r => r.Query["page[offset]"]), Is.EqualTo(new[] { "0", "250" }));
        Assert.That(requests.Select(r => r.Query["page[limit]"]), Is.All.EqualTo("250"));
        var first = requests[0].Query;
        Assert.Multiple(() =>
        {
            Assert.That(first["filter[instrument][condition][path]"], Is.EqualTo("symbol.meta.drupal_internal__target_id"));
            Assert.That(first["filter[instrument][condition][value]"], Is.EqualTo("511"));
            Assert.That(first["filter[published]"], Is.EqualTo("1"));
            Assert.That(first["filter[from][condition][path]"], Is.EqualTo("field_seance_date"));
            Assert.That(first["filter[from][condition][operator]"], Is.EqualTo(">="));
            Assert.That(first["filter[from][condition][value]"], Is.EqualTo("2025-08-01"));
            Assert.That(first["filter[to][condition][operator]"], Is.EqualTo("<="));
            Assert.That(first["filter[to][condition][value]"], Is.EqualTo("2025-08-18"));
            Assert.That(first["include"], Is.EqualTo("symbol"));
            Assert.That(first["sort"], Is.EqualTo("-created"));
            Assert.That(first["fields[instrument_history]"], Does.Contain("coursAjuste").And.Contain("closingPrice"));
        });
    }

    [Test]
    public async Task History_paging_stops_after_twenty_pages()
    {
        // A site that always says there is more.
        _history = context =>
        {
            var offset = int.Parse(context.Request.Query["page[offset]"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            var body = Fixture("casablanca-history-page1.json").Replace("page%5Boffset%5D=250", $"page%5Boffset%5D={offset + 250}", StringComparison.Ordinal);
            return Json(body)(context);
        };

        var bars = await Casablanca().GetDailyHistoryAsync("IAM", new DateOnly(2025, 8, 1), new DateOnly(2025, 8, 18), CancellationToken.None);

        Assert.That(_received.Count(r => r.Path.EndsWith("instrument_history", StringComparison.Ordinal)), Is.EqualTo(20));
        Assert.That(bars.Select(b => b.Date), Is.EqualTo(new[] { new DateOnly(2025, 8, 15), new DateOnly(2025, 8, 18) }));
    }

    [Test]
    public void History_without_an_instrument_id_throws_a_ProviderException()
    {
        var ex = Refused(() =>
            Casablanca().GetDailyHistoryAsync("ATW", new DateOnly(2025, 8, 1), new DateOnly(2025, 8, 18), CancellationToken.None));

        Assert.That(ex.Message, Is.EqualTo("no instrument id configured for ATW"));
        Assert.That(_received, Is.Empty);
    }

    [Test]
    public void Malformed_history_throws_a_ProviderException()
    {
        _history = Serve("casablanca-ticker-malformed.json");

        Assert.ThrowsAsync<ProviderException>(() =>
            Casablanca().GetDailyHistoryAsync("IAM", new DateOnly(2025, 8, 1), new DateOnly(2025, 8, 18), CancellationToken.None));
    }

    // ---- rate limits ----

    [Test]
    public async Task The_Casablanca_rate_limit_holds_back_the_request_past_the_limit()
    {
        // One quote poll is two requests (ticker and indices): the limit of two is used up by the first poll.
        var provider = Casablanca(o => o.RequestsPerMinute = 2);
        await provider.GetQuotesAsync(["IAM"], CancellationToken.None);

        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.CatchAsync<OperationCanceledException>(() => Casablanca(o => o.RequestsPerMinute = 2).GetQuotesAsync(["IAM"], wait.Token));

        Assert.That(_received, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task The_Eodhd_rate_limit_holds_back_the_request_past_the_limit()
    {
        await Eodhd(o => o.RequestsPerMinute = 1).GetQuotesAsync(["IAM"], CancellationToken.None);

        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.CatchAsync<OperationCanceledException>(() => Eodhd(o => o.RequestsPerMinute = 1).GetQuotesAsync(["IAM"], wait.Token));

        Assert.That(_received, Has.Count.EqualTo(1));
    }

    // ---- EODHD ----

    [Test]
    public async Task Eodhd_batch_reads_NA_as_missing_and_skips_a_row_without_close()
    {
        var snapshot = await Eodhd().GetQuotesAsync(["IAM", "ATW", "BCP"], CancellationToken.None);

        Assert.That(snapshot.Quotes, Is.EqualTo(new[]
        {
            new ProviderQuote("IAM", 119.45m, new DateTimeOffset(2025, 8, 18, 14, 30, 0, TimeSpan.Zero),
                Open: 118.5m, High: 119.9m, Low: 118.1m, PreviousClose: 118.3m, Volume: 253418),
            // "NA" low and previous close are null; the timestamp may be a string; zero volume is a real zero.
            new ProviderQuote("BCP", 291.2m, new DateTimeOffset(2025, 8, 18, 14, 25, 0, TimeSpan.Zero),
                Open: 290m, High: 292.5m, Low: null, PreviousClose: null, Volume: 0),
        }));
        Assert.That(snapshot.Indices, Is.Empty);
        Assert.That(snapshot.Problems, Is.EqualTo(new[] { "ATW: close missing" }));

        var request = _received.Single();
        Assert.That(request.Path, Is.EqualTo(EodhdRoot + "real-time/IAM.BC"));
        Assert.That(request.Query["s"], Is.EqualTo("ATW.BC,BCP.BC"));
        Assert.That(request.Query["fmt"], Is.EqualTo("json"));
        Assert.That(request.Query["api_token"], Is.EqualTo(Token));
    }

    [Test]
    public async Task Eodhd_single_symbol_answers_with_an_object()
    {
        var snapshot = await Eodhd().GetQuotesAsync(["IAM"], CancellationToken.None);

        Assert.That(snapshot.Quotes, Is.EqualTo(new[]
        {
            new ProviderQuote("IAM", 119.45m, new DateTimeOffset(2025, 8, 18, 14, 30, 0, TimeSpan.Zero),
                Open: 118.5m, High: 119.9m, Low: 118.1m, PreviousClose: 118.3m, Volume: 253418),
        }));
        Assert.That(snapshot.Problems, Is.Empty);
        var request = _received.Single();
        Assert.That(request.Path, Is.EqualTo(EodhdRoot + "real-time/IAM.BC"));
        Assert.That(request.Query.ContainsKey("s"), Is.False);
    }

    [Test]
    public async Task Eodhd_splits_a_long_list_into_batches_of_MaxSymbolsPerRequest()
    {
        _realTime = context =>
        {
            var symbols = new List<string> { (string)context.Request.RouteValues["symbol"]! };
            if (context.Request.Query.TryGetValue("s", out var more))
            {
                symbols.AddRange(more.ToString().Split(','));
            }
            var rows = symbols.Select((symbol, i) => $$"""{"code":"{{symbol}}","timestamp":1755527400,"close":{{100 + i}}}""");
            return Json("[" + string.Join(',', rows) + "]")(context);
        };
        var tickers = Enumerable.Range(1, 20).Select(i => $"T{i:00}").ToList();

        var snapshot = await Eodhd(o => o.MaxSymbolsPerRequest = 15).GetQuotesAsync(tickers, CancellationToken.None);

        var requests = _received.ToList();
        Assert.That(requests.Select(r => r.Path), Is.EqualTo(new[] { EodhdRoot + "real-time/T01.BC", EodhdRoot + "real-time/T16.BC" }));
        Assert.That(requests[0].Query["s"], Is.EqualTo(string.Join(',', Enumerable.Range(2, 14).Select(i => $"T{i:00}.BC"))));
        Assert.That(requests[1].Query["s"], Is.EqualTo("T17.BC,T18.BC,T19.BC,T20.BC"));
        Assert.That(snapshot.Quotes.Select(q => q.Ticker), Is.EqualTo(tickers));
        Assert.That(snapshot.Problems, Is.Empty);
    }

    [Test]
    public async Task Eodhd_uses_the_configured_exchange_suffix()
    {
        _realTime = Json("""{"code":"IAM.XCAS","timestamp":1755527400,"close":"119.45"}""");

        var snapshot = await Eodhd(o => o.ExchangeSuffix = "XCAS").GetQuotesAsync(["IAM"], CancellationToken.None);

        Assert.That(_received.Single().Path, Is.EqualTo(EodhdRoot + "real-time/IAM.XCAS"));
        Assert.That(snapshot.Quotes.Single().Last, Is.EqualTo(119.45m));
    }

    [Test]
    public async Task Eodhd_daily_bars_are_parsed_and_NA_rows_skipped()
    {
        var bars = await Eodhd().GetDailyHistoryAsync("IAM", new DateOnly(2025, 8, 1), new DateOnly(2025, 8, 19), CancellationToken.None);

        Assert.That(bars, Is.EqualTo(new[]
        {
            new ProviderBar("IAM", new DateOnly(2025, 8, 14), 117.2m, 118.0m, 116.9m, 117.8m, 117.8m, 180345),
            new ProviderBar("IAM", new DateOnly(2025, 8, 15), 117.8m, 118.6m, 117.5m, 118.3m, 116.95m, 201002),
            new ProviderBar("IAM", new DateOnly(2025, 8, 18), 118.5m, 119.9m, 118.1m, 119.45m, 119.45m, 253418),
        }));
        var request = _received.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Path, Is.EqualTo(EodhdRoot + "eod/IAM.BC"));
            Assert.That(request.Query["from"], Is.EqualTo("2025-08-01"));
            Assert.That(request.Query["to"], Is.EqualTo("2025-08-19"));
            Assert.That(request.Query["period"], Is.EqualTo("d"));
            Assert.That(request.Query["order"], Is.EqualTo("a"));
            Assert.That(request.Query["fmt"], Is.EqualTo("json"));
            Assert.That(request.Query["api_token"], Is.EqualTo(Token));
        });
    }

    [TestCase(402, "EODHD quota used up (402)")]
    [TestCase(403, "EODHD rejected the API token (403)")]
    [TestCase(429, "EODHD rate limit (429)")]
    public void Eodhd_error_statuses_have_clear_messages_without_the_token(int status, string message)
    {
        _realTime = Status(status);
        _eod = Status(status);
        var log = new RecordingLogger<EodhdProvider>();

        var quotes = Refused(() => Eodhd(logger: log).GetQuotesAsync(["IAM", "ATW"], CancellationToken.None));
        var bars = Refused(() =>
            Eodhd(logger: log).GetDailyHistoryAsync("IAM", new DateOnly(2025, 8, 1), new DateOnly(2025, 8, 18), CancellationToken.None));

        Assert.That(quotes.Message, Is.EqualTo(message));
        Assert.That(bars.Message, Is.EqualTo(message));
        Assert.That(log.Lines, Has.None.Contains(Token));
    }

    [Test]
    public void Eodhd_http_500_throws_a_ProviderException_without_the_token()
    {
        _realTime = Status(500);

        var ex = Refused(() => Eodhd().GetQuotesAsync(["IAM"], CancellationToken.None));

        Assert.That(ex.Message, Does.Contain("500").And.Not.Contain(Token));
    }

    [Test]
    public void Eodhd_text_instead_of_json_throws_a_ProviderException_without_the_token()
    {
        // EODHD answers some mistakes with plain text and a 200.
        _realTime = context => context.Response.WriteAsync("Ticker Not Found.");
        _eod = Serve("casablanca-ticker-malformed.json");

        var quotes = Refused(() => Eodhd().GetQuotesAsync(["IAM"], CancellationToken.None));
        var bars = Refused(() =>
            Eodhd().GetDailyHistoryAsync("IAM", new DateOnly(2025, 8, 1), new DateOnly(2025, 8, 18), CancellationToken.None));

        Assert.That(quotes.Message, Does.Contain("not valid JSON").And.Not.Contain(Token));
        Assert.That(bars.Message, Does.Contain("not valid JSON").And.Not.Contain(Token));
    }

    [Test]
    public void Eodhd_unreachable_server_throws_a_ProviderException_without_the_token()
    {
        // Port 1 (tcpmux) is refused on any ordinary machine: the connection error must not carry the token either.
        var options = new MarketDataOptions { Eodhd = { ApiToken = Token, RequestsPerMinute = 1000 } };
        var http = Client("http://127.0.0.1:1/api/");
        var provider = new EodhdProvider(http, Options.Create(options), NullLogger<EodhdProvider>.Instance, new FakeTimeProvider(Now));

        var ex = Refused(() => provider.GetQuotesAsync(["IAM"], CancellationToken.None));

        Assert.That(ex.Message, Does.Not.Contain(Token));
        Assert.That(ex.InnerException?.Message ?? "", Does.Not.Contain(Token));
    }

    [Test]
    public void Eodhd_without_a_token_refuses_before_calling()
    {
        var ex = Refused(() => Eodhd(o => o.ApiToken = "").GetQuotesAsync(["IAM"], CancellationToken.None));

        Assert.That(ex.Message, Does.Contain("API token"));
        Assert.That(_received, Is.Empty);
    }

    [Test]
    public async Task Eodhd_describes_itself_and_offers_no_search()
    {
        var provider = Eodhd(o => o.MaxSymbolsPerRequest = 15);

        Assert.Multiple(() =>
        {
            Assert.That(provider.Name, Is.EqualTo("Eodhd"));
            Assert.That(provider.Capabilities, Is.EqualTo(ProviderCapabilities.Quotes | ProviderCapabilities.DailyHistory));
            Assert.That(provider.MaxSymbolsPerRequest, Is.EqualTo(15));
            Assert.That(provider.PollInterval, Is.EqualTo(TimeSpan.FromSeconds(300)));
            Assert.That(provider.IsSimulated, Is.False);
        });
        Assert.That(await provider.SearchAsync("IAM", CancellationToken.None), Is.Empty);
    }

    // ---- number reading ----

    [TestCase("1 234,56", "1234.56")]
    [TestCase("1\u00a0234,56", "1234.56")]
    [TestCase("1\u202f234,56", "1234.56")]
    [TestCase("1234,56", "1234.56")]
    [TestCase("1234.56", "1234.56")]
    [TestCase("1.234,56", "1234.56")]
    [TestCase("1,234.56", "1234.56")]
    [TestCase("1 234 567", "1234567")]
    [TestCase("-0,5", "-0.5")]
    [TestCase(" 42 ", "42")]
    public void Reads_numbers_the_way_the_sites_write_them(string text, string expected)
    {
        Assert.That(ProviderValues.ParseDecimal(text), Is.EqualTo(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase("")]
    [TestCase("NA")]
    [TestCase("n/d")]
    [TestCase("-")]
    public void Reads_placeholders_as_no_number(string text)
    {
        Assert.That(ProviderValues.ParseDecimal(text), Is.Null);
    }

    // ---- plumbing ----

    private CasablancaBourseProvider Casablanca(Action<CasablancaBourseOptions>? configure = null)
    {
        var options = new MarketDataOptions();
        options.CasablancaBourse.RequestsPerMinute = 1000;
        options.CasablancaBourse.InstrumentIds["IAM"] = "511";
        configure?.Invoke(options.CasablancaBourse);
        return new CasablancaBourseProvider(
            Client(_url + CasablancaRoot), Options.Create(options), NullLogger<CasablancaBourseProvider>.Instance, new FakeTimeProvider(Now));
    }

    private EodhdProvider Eodhd(Action<EodhdOptions>? configure = null, ILogger<EodhdProvider>? logger = null)
    {
        var options = new MarketDataOptions();
        options.Eodhd.ApiToken = Token;
        options.Eodhd.RequestsPerMinute = 1000;
        configure?.Invoke(options.Eodhd);
        return new EodhdProvider(
            Client(_url + EodhdRoot), Options.Create(options), logger ?? NullLogger<EodhdProvider>.Instance, new FakeTimeProvider(Now));
    }

    private HttpClient Client(string baseAddress)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(10) };
        _clients.Add(client);
        return client;
    }

    /// <summary>The ProviderException the call throws (the assertion fails otherwise).</summary>
    private static ProviderException Refused(AsyncTestDelegate call) => Assert.ThrowsAsync<ProviderException>(call)!;

    private static RequestDelegate Serve(string fixture) => Json(Fixture(fixture));

    private static RequestDelegate Json(string body) => context =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body, Encoding.UTF8);
    };

    private static RequestDelegate Status(int status) => context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"error":"refused"}""");
    };

    /// <summary>Fixtures are read from the source tree, so the test project needs no copy-to-output items.</summary>
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(RepositoryRoot.Value, "MarketWatch.Tests", "Features", "Market", "Providers", "Fixtures", name));

    private static readonly Lazy<string> RepositoryRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketWatch.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"MarketWatch.sln not found above {AppContext.BaseDirectory}");
    });

    private sealed class RecordingLogger<T> : ILogger<T>
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception) + " " + exception);
    }
}
