using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>The user's portfolios and every transaction in "download my data" (whether one is shared, not its link).</summary>
public sealed class PortfolioPersonalData(DbContext db) : IPersonalDataContributor
{
    public async Task<IReadOnlyDictionary<string, object?>> ExportAsync(string userId, CancellationToken cancellationToken) =>
        new Dictionary<string, object?>
        {
            ["portfolios"] = await db.Portfolios.AsNoTracking()
                .Where(p => p.UserId == userId).OrderBy(p => p.Id)
                .Select(p => new
                {
                    p.Name, p.Description, p.Currency, Kind = p.Kind.ToString(), p.AccountAtBank, p.CreatedAt,
                    Shared = p.ShareToken != null, p.ShareShowsAmounts,
                    Transactions = p.Transactions.OrderBy(t => t.Date).ThenBy(t => t.Id).Select(t => new
                    {
                        Type = t.Type.ToString(), t.Date, t.Time, Ticker = t.Instrument != null ? t.Instrument.Ticker : null,
                        Isin = t.Instrument != null ? t.Instrument.Isin : null,
                        t.Quantity, t.Price, t.Amount, t.Fees, t.Taxes, t.Ratio, t.Note, t.CreatedAt,
                    }),
                })
                .ToListAsync(cancellationToken),
        };
}
