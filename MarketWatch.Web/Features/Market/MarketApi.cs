using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Memory;
using MarketWatch.Web.Features.Market.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Market;

public sealed record InstrumentResponse(string Ticker, string Name, string Sector, string? Isin, string Exchange, string Currency, bool IsActive);

public sealed record QuoteResponse(
    string Ticker, string Name, decimal? Last, decimal? Open, decimal? High, decimal? Low, decimal? PreviousClose, decimal? Change,
    decimal? ChangePercent, long? Volume, decimal? ValueTraded, DateTimeOffset? Time, string? Source)
{
    public static QuoteResponse From(QuoteRow r) =>
        new(r.Ticker, r.Name, r.Last, r.Open, r.High, r.Low, r.PreviousClose, r.Change, r.ChangePercent, r.Volume, r.ValueTraded, r.Time, r.Source);
}

public sealed record InstrumentDetailResponse(
    InstrumentResponse Instrument, QuoteResponse Quote, long? SharesOutstanding, bool SharesEstimated, decimal? MarketCap,
    decimal? YearLow, decimal? YearHigh);

public sealed record HistoryResponse(string Ticker, string Range, string Interval, IReadOnlyList<ChartPoint> Bars);

public sealed record StatusResponse(string Phase, bool IsTrading, DateTimeOffset NextOpen, DateTimeOffset? PhaseEnds, string? Holiday, bool Simulated, bool DemoMode);

/// <summary><c>/api/market</c>: the catalogue, quotes, history, movers, indices, status and search, read-only and open to all.</summary>
public static class MarketApi
{
    public static IEndpointRouteBuilder MapMarketApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/market").WithTags("Market");
        api.MapGet("/instruments", async (DbContext db, CancellationToken ct) =>
                Results.Ok(await db.Instruments.AsNoTracking()
                    .OrderBy(i => i.Ticker)
                    .Select(i => new InstrumentResponse(i.Ticker, i.Name, i.Sector, i.Isin, i.Exchange, i.Currency, i.IsActive))
                    .ToListAsync(ct)))
            .WithSummary("Every instrument of the catalogue.").Produces<List<InstrumentResponse>>();
        api.MapGet("/instruments/{ticker}", InstrumentAsync)
            .WithSummary("One instrument with its quote and key figures.").Produces<InstrumentDetailResponse>().ProducesProblem(404);
        api.MapGet("/quotes", QuotesAsync)
            .WithSummary("Latest quotes for a comma-separated list of tickers.").Produces<List<QuoteResponse>>().ProducesProblem(400).ProducesProblem(404);
        api.MapGet("/history/{ticker}", HistoryAsync)
            .WithSummary("Bars for a chart: range 1D, 1W, 1M, 3M, 6M, 1Y or 5Y; interval 1m, 5m, 30m, 1d or 1w as the range allows.")
            .Produces<HistoryResponse>().ProducesProblem(400).ProducesProblem(404);
        api.MapGet("/movers", async (MarketQueries market, CancellationToken ct) =>
            {
                var movers = await market.MoversAsync(ct);
                return Results.Ok(new
                {
                    gainers = movers.Gainers.Select(QuoteResponse.From),
                    losers = movers.Losers.Select(QuoteResponse.From),
                    mostActive = movers.MostActive.Select(QuoteResponse.From),
                });
            })
            .WithSummary("Top gainers, top losers and most active (by value traded).");
        api.MapGet("/indices", async (MarketQueries market, CancellationToken ct) => Results.Ok(await market.IndicesAsync(withLevelOnly: false, ct)))
            .WithSummary("Every index, with its level when a provider gives it or MarketWatch computes it (isComputed).")
            .Produces<List<IndexRow>>();
        api.MapGet("/indices/{name}/history", IndexHistoryAsync)
            .WithSummary("The computed MASI's levels for a chart (same ranges and intervals as an instrument's history); open, high, low and close are the level.")
            .Produces<HistoryResponse>().ProducesProblem(400).ProducesProblem(404);
        api.MapGet("/status", (MarketStatusService status) =>
            {
                var now = status.Now();
                return Results.Ok(new StatusResponse(now.Phase.ToString(), now.IsTrading, now.NextOpen, now.PhaseEnds, now.HolidayName, status.IsSimulated, status.IsDemoMode));
            })
            .WithSummary("Market phase now (exchange calendar), next open, and whether prices are simulated.").Produces<StatusResponse>();
        api.MapGet("/search", async (string? q, MarketQueries market, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                string.IsNullOrWhiteSpace(q)
                    ? Results.ValidationProblem(new Dictionary<string, string[]> { ["q"] = [L["Type a ticker, a name or an ISIN."]] })
                    : q.Length > 100
                        ? Results.ValidationProblem(new Dictionary<string, string[]> { ["q"] = [L["The search can be at most {0} characters long.", 100]] })
                        : Results.Ok((await market.SearchAsync(q, 20, ct)).Select(QuoteResponse.From)))
            .WithSummary("Search by ticker, name or ISIN, accent- and case-insensitive.").Produces<List<QuoteResponse>>().ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> InstrumentAsync(string ticker, MarketQueries market, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var detail = await market.DetailAsync(ticker, ct);
        if (detail is null)
        {
            return UnknownTicker(L, ticker);
        }
        var i = detail.Instrument;
        return Results.Ok(new InstrumentDetailResponse(
            new InstrumentResponse(i.Ticker, i.Name, i.Sector, i.Isin, i.Exchange, i.Currency, i.IsActive),
            QuoteResponse.From(detail.Quote), i.SharesForCap, i.SharesOutstanding is null && i.EstimatedShares is not null,
            detail.Quote.MarketCap, detail.YearLow, detail.YearHigh));
    }

    private static async Task<IResult> QuotesAsync(string? tickers, MarketQueries market, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var list = (tickers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.ToUpperInvariant()).Distinct().ToList();
        if (list.Count == 0)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["tickers"] = [L["Give at least one ticker, e.g. tickers=IAM,ATW."]] });
        }
        if (list.Count > 200)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["tickers"] = [L["At most {0} tickers per request.", 200]] });
        }
        var rows = await market.QuotesAsync(list, ct);
        var unknown = list.Except(rows.Select(r => r.Ticker)).ToList();
        if (unknown.Count > 0)
        {
            return UnknownTicker(L, string.Join(", ", unknown));
        }
        return Results.Ok(list.Select(t => QuoteResponse.From(rows.Single(r => r.Ticker == t))));
    }

    private static async Task<IResult> HistoryAsync(string ticker, string? range, string? interval, MarketQueries market,
        IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        if (ChartRequest(ref range, ref interval, L) is { } refused)
        {
            return refused;
        }
        var chartRange = MarketQueries.Ranges[range];
        var detail = await market.DetailAsync(ticker, ct);
        if (detail is null)
        {
            return UnknownTicker(L, ticker);
        }
        var bars = await market.HistoryAsync(detail.Instrument.Id, chartRange, interval, ct);
        return Results.Ok(new HistoryResponse(detail.Instrument.Ticker, range.ToUpperInvariant(), interval, bars));
    }

    private static async Task<IResult> IndexHistoryAsync(string name, string? range, string? interval, MarketQueries market,
        IMemoryCache cache, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        if (!string.Equals(name, ComputedIndex.Name, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem(title: L["Unknown index"], detail: L["No history for the index {0}: MarketWatch computes only {1}.", name, ComputedIndex.Name],
                statusCode: StatusCodes.Status404NotFound);
        }
        if (ChartRequest(ref range, ref interval, L) is { } refused)
        {
            return refused;
        }
        var chartRange = MarketQueries.Ranges[range];
        // The index is rebuilt from every member's bars: one computation per range and interval is shared by every chart for
        // a while (half a minute for minute bars, which move with the feed; ten minutes for daily bars).
        var bars = await cache.GetOrCreateAsync(("index-history", chartRange, interval), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = interval.EndsWith('m') ? TimeSpan.FromSeconds(30) : TimeSpan.FromMinutes(10);
            return market.IndexHistoryAsync(ComputedIndex.Name, chartRange, interval, ct);
        }) ?? [];
        return Results.Ok(new HistoryResponse(ComputedIndex.Name, range.ToUpperInvariant(), interval, bars));
    }

    /// <summary>A history's range (default 1M) and interval (default: the range's first): null when both are valid, else the 400.</summary>
    private static IResult? ChartRequest([NotNull] ref string? range, [NotNull] ref string? interval, IStringLocalizer L)
    {
        range ??= "1M";
        interval ??= MarketQueries.Ranges.TryGetValue(range, out var known) ? MarketQueries.IntervalsFor(known)[0] : "";
        if (!MarketQueries.Ranges.TryGetValue(range, out var chartRange))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["range"] = [L["Unknown range. Use one of: {0}.", string.Join(", ", MarketQueries.Ranges.Keys)]] });
        }
        var allowed = MarketQueries.IntervalsFor(chartRange);
        return allowed.Contains(interval)
            ? null
            : Results.ValidationProblem(new Dictionary<string, string[]> { ["interval"] = [L["This range allows these intervals: {0}.", string.Join(", ", allowed)]] });
    }

    private static IResult UnknownTicker(IStringLocalizer L, string ticker) =>
        Results.Problem(title: L["Unknown ticker"], detail: L["No instrument with the ticker {0}.", ticker], statusCode: StatusCodes.Status404NotFound);
}
