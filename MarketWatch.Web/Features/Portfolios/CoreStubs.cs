using MarketWatch.Web.Infrastructure;

namespace MarketWatch.Web.Features.Portfolios;

// Core's signatures from the brief, until core's milestone is merged (this file goes then).
public sealed record PortfolioInput(string? Name, string? Description, PortfolioKind Kind = PortfolioKind.Real, bool AccountAtBank = false);
public sealed record TransactionInput(TransactionType? Type, DateOnly? Date, TimeOnly? Time, string? Ticker,
    decimal? Quantity, decimal? Price, decimal? Amount, decimal? Fees, decimal? Taxes, decimal? Ratio, string? Note);
public sealed record RowError(int Row, FieldError Error);
public sealed record BatchOutcome(bool Found, int Added, IReadOnlyList<RowError> Errors);
public sealed record PortfolioSummary(int Id, string Name, PortfolioKind Kind, string Currency, string? Description, int Transactions, bool Shared);
public sealed class PortfolioService
{
    public Task<List<PortfolioSummary>> ListAsync(string userId, CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> DeleteAsync(string userId, int id, CancellationToken ct) => throw new NotImplementedException();
    public Task<Portfolio?> FindAsync(string userId, int id, CancellationToken ct) => throw new NotImplementedException();
    public Task<Outcome<Portfolio>> CreateAsync(string userId, PortfolioInput input, CancellationToken ct) => throw new NotImplementedException();
}
public sealed class PortfolioTransactions
{
    public Task<List<PortfolioTransaction>?> ListAsync(string userId, int portfolioId, object? filter, CancellationToken ct) => throw new NotImplementedException();
    public Task<BatchOutcome> AddManyAsync(string userId, int portfolioId, IReadOnlyList<TransactionInput> inputs, CancellationToken ct) => throw new NotImplementedException();
}
