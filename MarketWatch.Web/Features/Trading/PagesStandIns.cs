// Stand-ins for helper entry's services (the brief's signatures), so the pages compile before its milestone merge.
// Removed by the merge of wave2-entry.
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure;

namespace MarketWatch.Web.Features.Trading;

public record PaperAccountInput(string? Name, decimal? StartingCash, int? CompetitionId = null);
public record PaperAccountSettings(bool OnLeaderboard, string? DisplayName, Channel[] Channels);
public record PaperAccountView(PaperAccount Account, string Name, PortfolioSnapshot Snapshot, decimal Equity, decimal ProfitLoss, decimal Return,
    decimal? MasiReturn, int OpenOrders);
public class PaperAccounts
{
    public Task<List<PaperAccountView>> ListAsync(string userId, CancellationToken ct) => throw new NotImplementedException();
    public Task<PaperAccountView?> GetAsync(string userId, int id, CancellationToken ct) => throw new NotImplementedException();
    public Task<Outcome<PaperAccount>> OpenAsync(string userId, PaperAccountInput input, CancellationToken ct) => throw new NotImplementedException();
    public Task<Outcome<PaperAccount>> SettingsAsync(string userId, int id, PaperAccountSettings s, CancellationToken ct) => throw new NotImplementedException();
    public Task<Outcome<PaperRun>> ResetAsync(string userId, int id, CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> DeleteAsync(string userId, int id, CancellationToken ct) => throw new NotImplementedException();
    public Task<List<PaperRun>?> RunsAsync(string userId, int id, CancellationToken ct) => throw new NotImplementedException();
}
public record OrderInput(string? Ticker, OrderSide? Side, OrderType? Type, long? Quantity, decimal? LimitPrice, decimal? StopPrice, OrderValidity? Validity,
    DateOnly? ExpiresOn);
public record OrderChange(long? Quantity, decimal? LimitPrice, decimal? StopPrice);
public record OrderCheck(string Ticker, decimal Reference, PriceBand Band, decimal Tick, decimal? Last, decimal EstimatedPrice, decimal Amount, decimal Fees,
    decimal Total, decimal AvailableCash, long AvailableShares, bool WaitsForSession);
public class OrderEntry
{
    public Task<Outcome<OrderCheck>> CheckAsync(string userId, int accountId, OrderInput input, CancellationToken ct) => throw new NotImplementedException();
    public Task<Outcome<PaperOrder>> PlaceAsync(string userId, int accountId, OrderInput input, CancellationToken ct) => throw new NotImplementedException();
    public Task<Outcome<PaperOrder>> ModifyAsync(string userId, long orderId, OrderChange change, CancellationToken ct) => throw new NotImplementedException();
    public Task<Outcome<PaperOrder>> CancelAsync(string userId, long orderId, CancellationToken ct) => throw new NotImplementedException();
}
public record FillRow(long EventId, long OrderId, string Ticker, OrderSide Side, long Quantity, decimal Price, decimal Fees, DateTimeOffset Time);
public class OrderQueries
{
    public Task<List<PaperOrder>?> OpenAsync(string userId, int accountId, CancellationToken ct) => throw new NotImplementedException();
    public Task<List<PaperOrder>?> HistoryAsync(string userId, int accountId, int take, CancellationToken ct) => throw new NotImplementedException();
    public Task<PaperOrder?> FindAsync(string userId, long orderId, CancellationToken ct) => throw new NotImplementedException();
    public Task<List<PaperOrderEvent>?> EventsAsync(string userId, long orderId, CancellationToken ct) => throw new NotImplementedException();
    public Task<List<FillRow>?> FillsAsync(string userId, int accountId, int take, CancellationToken ct) => throw new NotImplementedException();
}
