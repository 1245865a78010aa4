using System.Globalization;
using System.Security.Cryptography;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Trading;
using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Analytics.Sharing;

/// <summary>
/// <c>/preview/{kind}/...png</c>: the 1200×630 pictures link previews (Open Graph, Twitter cards) show for a stock, a
/// shared watchlist, a shared portfolio, a screener query and the leaderboard, in the request's language. A rendered
/// image is kept in memory per kind, item, language and period (5 minutes while the market trades, until the next
/// session otherwise) and served with <c>Cache-Control: public</c> and an ETag. A share checks its token on every request
/// (a revoked link is a 404 at once, whatever is kept).
/// </summary>
public static class PreviewEndpoints
{
    public static IServiceCollection AddSharing(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SharingOptions>(configuration.GetSection("Sharing"));
        services.AddSingleton<PreviewImages>();
        services.AddSingleton<PreviewCache>();
        services.AddScoped<PreviewCards>();
        services.AddScoped<FollowNotices>();
        services.AddScoped<Notifications.INoticeSource>(provider => provider.GetRequiredService<FollowNotices>());
        services.AddScoped<IWatchlistItemsAdded>(provider => provider.GetRequiredService<FollowNotices>());
        return services;
    }

    public static IEndpointRouteBuilder MapSharing(this IEndpointRouteBuilder app)
    {
        var previews = app.MapGroup("/preview").AllowAnonymous().ExcludeFromDescription();
        previews.MapGet("/stock/{ticker}.png", (string ticker, HttpContext http, PreviewCards cards, CancellationToken ct) =>
            Serve(http, "stock", Normalized(ticker)?.ToUpperInvariant(), id => cards.StockAsync(id, ct)));
        previews.MapGet("/watchlist/{token}.png", (string token, HttpContext http, PreviewCards cards, CancellationToken ct) =>
            Serve(http, "watchlist", Normalized(token), id => cards.WatchlistAsync(id, ct), checkEveryTime: true));
        previews.MapGet("/portfolio/{token}.png", (string token, HttpContext http, PreviewCards cards, CancellationToken ct) =>
            Serve(http, "portfolio", Normalized(token), id => cards.PortfolioAsync(id, ct), checkEveryTime: true));
        previews.MapGet("/leaderboard.png", (HttpContext http, PreviewCards cards, CancellationToken ct) =>
        {
            var period = LeaderboardPeriods.Parse(Normalized(http.Request.Query["period"].ToString()));
            return Serve(http, "leaderboard", period.Code(), async _ => (PreviewCard?)await cards.LeaderboardAsync(period, ct));
        });
        previews.MapGet("/screener.png", async (HttpContext http, PreviewCards cards, MarketMetrics metrics, CancellationToken ct) =>
        {
            // Keyed by the screener's canonical form of the filter: any number of spellings of one filter (or of
            // unknown parameters) is one picture, and every refused filter is the same one.
            var parsed = ScreenerQuery.Parse(http.Request.Query, ScreenerApi.Sectors(await metrics.CurrentAsync(ct)));
            var canonical = parsed.Query?.ToQueryString(page: false);
            return await Serve(http, "screener", canonical is null ? "invalid" : ScreenerSummary.Key(canonical),
                async _ => (PreviewCard?)await cards.ScreenerAsync(parsed.Query, ct));
        });
        return app;
    }

    /// <summary>A path value as a key: null (a 404) when empty, too long or holding control characters (a NUL never reaches SQL).</summary>
    private static string? Normalized(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Length > 100 || value.Any(char.IsControl) ? null : value.Trim();

    private sealed record Rendered(byte[] Png, string ETag);

    private static async Task<IResult> Serve(HttpContext http, string kind, string? id, Func<string, Task<PreviewCard?>> card, bool checkEveryTime = false)
    {
        if (id is null)
        {
            return Results.NotFound();
        }
        var services = http.RequestServices;
        var cache = services.GetRequiredService<PreviewCache>().Images;
        var cards = services.GetRequiredService<PreviewCards>();
        var (bucket, expires) = cards.Bucket();
        var culture = CultureInfo.CurrentUICulture.Name;
        var key = ("preview", kind, id, culture, bucket);
        if (checkEveryTime && !await cards.StillSharedAsync(kind, id, http.RequestAborted))
        {
            return Results.NotFound();
        }
        if (!cache.TryGetValue(key, out Rendered? rendered) || rendered is null)
        {
            var built = await card(id);
            if (built is null)
            {
                return Results.NotFound();
            }
            var png = services.GetRequiredService<PreviewImages>().Render(built);
            rendered = new Rendered(png, "\"" + Convert.ToHexString(SHA256.HashData(png), 0, 12).ToLowerInvariant() + "\"");
            cache.Set(key, rendered, new MemoryCacheEntryOptions { AbsoluteExpiration = expires, Size = png.Length });
        }
        var maxAge = Math.Clamp((int)(expires - cards.Now).TotalSeconds, 30, 3600);
        // A shared list's or portfolio's picture is revalidated on every use (its ETag answers 304 cheaply), so a proxy
        // never shows it after the owner revoked the link.
        http.Response.Headers.CacheControl = checkEveryTime ? "public, no-cache" : $"public, max-age={maxAge.ToString(CultureInfo.InvariantCulture)}";
        http.Response.Headers.ETag = rendered.ETag;
        // The picture is in the reader's language: the cookie or the browser's Accept-Language chose it.
        http.Response.Headers.Vary = "Accept-Language, Cookie";
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == rendered.ETag)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return Results.File(rendered.Png, "image/png");
    }
}

/// <summary>The rendered pictures, in a cache of their own with a size limit, so previews can never crowd out or exhaust memory.</summary>
public sealed class PreviewCache : IDisposable
{
    public const long SizeLimitBytes = 64L * 1024 * 1024;

    public MemoryCache Images { get; } = new(new MemoryCacheOptions { SizeLimit = SizeLimitBytes });

    public void Dispose() => Images.Dispose();
}

/// <summary>The screener's filter as a preview shows it: the canonical query's parameters, each shortened.</summary>
public static class ScreenerSummary
{
    public const int MaxFilters = 12;

    public static IReadOnlyList<(string Name, string Value)> Filters(string canonical) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(canonical)
            .SelectMany(q => q.Value.Select(v => (Name: q.Key, Value: Text.Echo(v))))
            .Take(MaxFilters).ToList();

    /// <summary>A cache key of bounded length for one canonical filter.</summary>
    public static string Key(string canonical) =>
        canonical.Length <= 64 ? "q:" + canonical : "h:" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));
}

/// <summary>Gathers what each kind of preview shows, from the features that own it, worded in the current culture.</summary>
public sealed class PreviewCards(DbContext db, MarketQueries market, WatchlistService watchlists, PortfolioShares portfolioShares,
    PortfolioHoldings holdings, PortfolioPerformance performance, Leaderboard leaderboard, MarketMetrics metrics,
    MarketStatusService status, IOptions<SharingOptions> options, IStringLocalizer<SharedResource> L, TimeProvider clock)
{
    public DateTimeOffset Now => clock.GetUtcNow();

    private static bool Rtl => CultureInfo.CurrentUICulture.TextInfo.IsRightToLeft;

    /// <summary>
    /// The period a rendered image stands for and when it ends: a slice of <see cref="SharingOptions.TradingCacheSeconds"/>
    /// while the market trades, otherwise until the next session opens (nothing moves before it).
    /// </summary>
    public (long Bucket, DateTimeOffset Expires) Bucket()
    {
        var now = Now;
        var market = status.Now();
        if (market.IsTrading || status.IsDemoMode)
        {
            var seconds = Math.Max(30, options.Value.TradingCacheSeconds);
            var bucket = now.ToUnixTimeSeconds() / seconds;
            return (bucket, DateTimeOffset.FromUnixTimeSeconds((bucket + 1) * seconds));
        }
        var next = market.NextOpen > now ? market.NextOpen : now.AddMinutes(5);
        return (-next.ToUnixTimeSeconds(), next);
    }

    public async Task<bool> StillSharedAsync(string kind, string token, CancellationToken cancellationToken) => kind switch
    {
        "watchlist" => await watchlists.FindSharedAsync(token, cancellationToken) is not null,
        "portfolio" => await portfolioShares.FindSharedAsync(token, cancellationToken) is not null,
        _ => true,
    };

    public async Task<PreviewCard?> StockAsync(string ticker, CancellationToken cancellationToken)
    {
        var detail = await market.DetailAsync(ticker, cancellationToken);
        if (detail is null)
        {
            return null;
        }
        var history = await market.HistoryAsync(detail.Instrument.Id, ChartRange.M3, MarketQueries.IntervalsFor(ChartRange.M3)[0], cancellationToken);
        var closes = history.Select(p => (double)p.Close).ToList();
        var quote = detail.Quote;
        return new PreviewCard(detail.Instrument.Name, detail.Instrument.Ticker + " · " + L["3 months"], Format.Mad(quote.Last, L),
            Format.Percent(quote.ChangePercent), Math.Sign(quote.ChangePercent ?? 0), closes, [], Rtl);
    }

    public async Task<PreviewCard?> WatchlistAsync(string token, CancellationToken cancellationToken)
    {
        var list = await watchlists.FindSharedAsync(token, cancellationToken);
        if (list is null)
        {
            return null;
        }
        var tickers = await db.Set<WatchlistItem>().AsNoTracking().Where(i => i.WatchlistId == list.Id)
            .OrderBy(i => i.Position).Select(i => i.Instrument.Ticker).Take(5).ToListAsync(cancellationToken);
        var quotes = (await market.QuotesAsync(tickers, cancellationToken)).ToDictionary(q => q.Ticker);
        var rows = tickers.Where(quotes.ContainsKey).Select(t => quotes[t])
            .Select(q => new PreviewRow(q.Ticker + "  " + q.Name, Format.Percent(q.ChangePercent), Math.Sign(q.ChangePercent ?? 0))).ToList();
        if (rows.Count == 0)
        {
            rows.Add(new PreviewRow(L["This list is empty."], "", 0));
        }
        return new PreviewCard(list.Name, L["Shared watchlist"], null, null, 0, null, rows, Rtl);
    }

    /// <summary>Weights and returns only, as the shared page shows them to anyone: never an amount.</summary>
    public async Task<PreviewCard?> PortfolioAsync(string token, CancellationToken cancellationToken)
    {
        var portfolio = await portfolioShares.FindSharedAsync(token, cancellationToken);
        if (portfolio is null)
        {
            return null;
        }
        var report = await performance.ForAsync(portfolio, PerformanceRange.Y1, cancellationToken);
        var twr = report.Figures.Twr;
        var chart = report.Series.Select(p => (double)p.PortfolioIndex).ToList();
        if (chart.Count > 1)
        {
            return new PreviewCard(portfolio.Name, L["Shared portfolio"], twr is { } r ? Format.Percent(r * 100m) : Format.Missing, L["1 year"],
                0, chart, [], Rtl);
        }
        var snapshot = await holdings.ForAsync(portfolio, cancellationToken);
        var rows = snapshot.Holdings.OrderByDescending(h => h.Weight).Take(5)
            .Select(h => new PreviewRow(h.Ticker + "  " + h.Name, Format.Isolated(h.Weight.ToString("N2", CultureInfo.CurrentCulture) + " %"), 0)).ToList();
        return new PreviewCard(portfolio.Name, L["Shared portfolio"], null, null, 0, null, rows, Rtl);
    }

    public async Task<PreviewCard> LeaderboardAsync(LeaderboardPeriod period, CancellationToken cancellationToken)
    {
        var ranking = await leaderboard.RankAsync(period, null, cancellationToken);
        var rows = ranking.Entries.Take(5)
            .Select(e => new PreviewRow(Format.Count(e.Rank) + ". " + e.DisplayName,
                e.Return is { } r ? Format.Percent(r * 100m) : Format.Missing, Math.Sign(e.Return ?? 0))).ToList();
        if (rows.Count == 0)
        {
            rows.Add(new PreviewRow(L["No account is on the leaderboard yet."], "", 0));
        }
        var periodName = period switch
        {
            LeaderboardPeriod.M1 => L["1 month"],
            LeaderboardPeriod.M3 => L["3 months"],
            _ => L["Since the start"],
        };
        return new PreviewCard(L["Paper-trading leaderboard"], periodName, null, null, 0, null, rows, Rtl);
    }

    /// <summary>
    /// "Screener", the filter's parameters, and the first stocks the screener itself finds for them (in the screen's own
    /// order); a filter the screener refuses draws its parameters and no stocks.
    /// </summary>
    public async Task<PreviewCard> ScreenerAsync(ScreenerQuery? screen, CancellationToken cancellationToken)
    {
        var snapshot = await metrics.CurrentAsync(cancellationToken);
        var filters = screen is null ? [] : ScreenerSummary.Filters(screen.ToQueryString(page: false));
        var matches = (screen is null ? [] : Screener.Run(snapshot, screen).Rows).Take(4)
            .Select(m => new PreviewRow(m.Ticker + "  " + m.Name, Format.Percent(m.ChangePercent), Math.Sign(m.ChangePercent ?? 0)))
            .ToList();
        var summary = screen is null ? L["The screener cannot read this filter."].Value : filters.Count == 0 ? L["All stocks"].Value : string.Join(" · ", filters.Select(f => f.Name + " " + f.Value));
        return new PreviewCard(L["Stock screener"], L["{0} filters", Format.Count(filters.Count)], null, null, 0, null,
            [new PreviewRow(summary, "", 0), .. matches], Rtl);
    }
}
