namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// Told after a portfolio's transactions changed (committed, Version bumped): higher folders (Alerts) and the
/// performance cache implement it. <paramref name="from"/> is the earliest date the change affects.
/// </summary>
public interface IPortfolioChangeHandler
{
    Task OnChangedAsync(int portfolioId, DateOnly from, CancellationToken ct);
}
