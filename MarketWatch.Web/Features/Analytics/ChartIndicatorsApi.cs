using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Analytics;

/// <summary>
/// Chart indicators (owner: charts). <c>GET /analytics/chart/{ticker}</c>: the stock page's overlays and lower panes,
/// computed here (Market's page reaches it by address only); <c>/analytics/watchlists/{id}</c> is its Razor page.
/// </summary>
public static class ChartIndicatorsApi
{
    public static IServiceCollection AddChartIndicators(this IServiceCollection services) =>
        services.AddScoped<WatchlistAnalytics>().AddSingleton<ChartBars>();

    public static IEndpointRouteBuilder MapChartIndicators(this IEndpointRouteBuilder app)
    {
        app.MapGet("/analytics/chart/{ticker}", ChartAsync)
            .WithTags("Analytics")
            .WithSummary("Indicator series for a stock's chart: range 1M, 3M, 6M, 1Y or 5Y (daily bars); overlays sma:N, ema:N, bb:N[:k]; "
                         + "panes volume, rsi[:N], macd[:fast:slow:signal] (comma-separated, periods 2 to 200).")
            .WithDescription("Computed with the one indicator library over two years of history before the visible range (warmupFrom), so "
                             + "the first visible values are defined. When live is true the last point is today's session at the live price.")
            .Produces<ChartIndicatorsResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> ChartAsync(string ticker, string? range, string? overlays, string? panes, MarketQueries market,
        PerformanceMarket sessions, ChartBars chartBars, TimeProvider clock, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var request = ChartIndicatorRequest.Parse(range, overlays, panes, L, out var errors);
        if (request is null)
        {
            return Results.ValidationProblem(errors);
        }
        var detail = ticker.Length <= 20 ? await market.DetailAsync(ticker, ct) : null;
        if (detail is null)
        {
            return Results.Problem(title: L["Unknown ticker"], detail: L["No instrument with the ticker {0}.", ticker], statusCode: StatusCodes.Status404NotFound);
        }
        var session = sessions.Session();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var visibleFrom = ChartIndicators.VisibleFrom(request.Range, today);
        var warmupFrom = visibleFrom.AddDays(-ChartIndicators.WarmupDays);
        var bars = await chartBars.ReadAsync(detail.Instrument.Id, warmupFrom, session, today, ct);
        var (withLive, live) = WithLivePoint(bars, detail.Quote);
        return Results.Ok(ChartIndicators.Compute(detail.Instrument.Ticker, request, withLive, visibleFrom, warmupFrom, live));
    }

    /// <summary>The bars with today's session at the live quote appended, when the quote is of a session after the last closed one.</summary>
    internal static (InstrumentBars Bars, bool Live) WithLivePoint(InstrumentBars bars, QuoteRow quote)
    {
        if (quote is not { Time: { } time, Last: { } last })
        {
            return (bars, false);
        }
        var date = ExchangeCalendar.ExchangeDate(time);
        if (bars.Dates.Length > 0 && date <= bars.Dates[^1])
        {
            return (bars, false);
        }
        var price = (double)last;
        return (new InstrumentBars(bars.InstrumentId, [.. bars.Dates, date], [.. bars.Opens, (double?)quote.Open ?? price],
            [.. bars.Highs, Math.Max((double?)quote.High ?? price, price)], [.. bars.Lows, Math.Min((double?)quote.Low ?? price, price)],
            [.. bars.Closes, price], [.. bars.Volumes, quote.Volume ?? 0]), true);
    }
}
