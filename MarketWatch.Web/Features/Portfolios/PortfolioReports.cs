using MarketWatch.Web.Features.Market.Calendar;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>Dividends received in one month: gross, withheld, fees, and what reached the account.</summary>
public sealed record DividendMonth(DateOnly Month, decimal Gross, decimal Taxes, decimal Fees, int Payments)
{
    public decimal Net => Gross - Taxes - Fees;
}

/// <summary>Dividends received in one calendar year.</summary>
public sealed record DividendYear(int Year, decimal Gross, decimal Taxes, decimal Fees, int Payments)
{
    public decimal Net => Gross - Taxes - Fees;
}

/// <summary>The sales of one calendar year at weighted average cost: what the capital-gains lines of a tax return need.</summary>
public sealed record RealizedYear(int Year, int Sales, decimal Proceeds, decimal Cost, decimal Fees, decimal Taxes)
{
    /// <summary>Proceeds − fees − cost of the shares sold, before tax.</summary>
    public decimal Gain => Proceeds - Fees - Cost;
    public decimal GainAfterTax => Gain - Taxes;
}

/// <summary>A portfolio's dividends per month and per year, and its realized gains per year.</summary>
public sealed record PortfolioIncome(IReadOnlyList<DividendMonth> RecentMonths, IReadOnlyList<DividendYear> Years, IReadOnlyList<RealizedYear> Realized)
{
    public bool HasDividends => Years.Count > 0;
}

/// <summary>
/// The income side of a portfolio page: dividends grouped in SQL (one query, whatever the number of payments) and
/// realized gains per year from the ledger's sales (weighted average cost needs the replay, which
/// <see cref="PortfolioHoldings"/> keeps per version).
/// </summary>
public sealed class PortfolioReports(DbContext db, PortfolioHoldings holdings, TimeProvider clock)
{
    /// <summary>How many months the dividend chart shows, the current one included.</summary>
    public const int RecentMonths = 24;

    public async Task<PortfolioIncome> IncomeAsync(Portfolio portfolio, CancellationToken cancellationToken)
    {
        var portfolioId = portfolio.Id;
        var months = await db.PortfolioTransactions.AsNoTracking()
            .Where(t => t.PortfolioId == portfolioId && t.Type == TransactionType.Dividend)
            .GroupBy(t => new { t.Date.Year, t.Date.Month })
            .Select(g => new { g.Key.Year, g.Key.Month, Gross = g.Sum(t => t.Amount), Taxes = g.Sum(t => t.Taxes), Fees = g.Sum(t => t.Fees), Payments = g.Count() })
            .ToListAsync(cancellationToken);
        var byMonth = months.ToDictionary(m => new DateOnly(m.Year, m.Month, 1), m => new DividendMonth(new DateOnly(m.Year, m.Month, 1), m.Gross, m.Taxes, m.Fees, m.Payments));
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-(RecentMonths - 1));
        var recent = Enumerable.Range(0, RecentMonths).Select(i => first.AddMonths(i))
            .Select(m => byMonth.TryGetValue(m, out var found) ? found : new DividendMonth(m, 0, 0, 0, 0)).ToList();
        var years = months.GroupBy(m => m.Year).OrderByDescending(g => g.Key)
            .Select(g => new DividendYear(g.Key, g.Sum(m => m.Gross), g.Sum(m => m.Taxes), g.Sum(m => m.Fees), g.Sum(m => m.Payments))).ToList();

        // The replayed history the holdings already keep per version: no second read of the transactions.
        var ledger = await holdings.LedgerAsync(portfolio, cancellationToken);
        return new PortfolioIncome(recent, years, RealizedByYear(ledger.Sales));
    }

    /// <summary>The sales grouped by the calendar year of their date, newest year first.</summary>
    public static IReadOnlyList<RealizedYear> RealizedByYear(IEnumerable<RealizedSale> sales) =>
        sales.GroupBy(s => s.Date.Year).OrderByDescending(g => g.Key)
            .Select(g => new RealizedYear(g.Key, g.Count(), g.Sum(s => s.Proceeds), g.Sum(s => s.CostOfSold), g.Sum(s => s.Fees), g.Sum(s => s.Taxes)))
            .ToList();
}
