namespace MarketWatch.Web.Features.Portfolios;

// Stand-in for core's declaration until wave2-core lands (removed at the merge).
public interface IPortfolioChangeHandler
{
    Task OnChangedAsync(int portfolioId, DateOnly from, CancellationToken cancellationToken);
}
