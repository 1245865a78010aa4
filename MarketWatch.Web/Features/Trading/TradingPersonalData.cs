using MarketWatch.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// The user's paper accounts in "download my data": settings and cash, every order with its events, the results of
/// past runs. The fills' transactions come with the portfolios (a paper account is one).
/// </summary>
public sealed class TradingPersonalData(DbContext db) : IPersonalDataContributor
{
    public async Task<IReadOnlyDictionary<string, object?>> ExportAsync(string userId, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var accounts = await db.PaperAccounts.AsNoTracking().Where(a => a.UserId == userId).OrderBy(a => a.Id).ToListAsync(ct);
        var ids = accounts.Select(a => a.Id).ToList();
        var names = await db.Set<Portfolios.Portfolio>().AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var competitions = await db.PaperCompetitions.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var orders = await db.PaperOrders.AsNoTracking().Where(o => o.UserId == userId).OrderBy(o => o.Id)
            .Select(o => new
            {
                o.Id, o.AccountId, o.Run, o.Instrument!.Ticker, Side = o.Side.ToString(), Type = o.Type.ToString(), o.Quantity, o.FilledQuantity,
                o.LimitPrice, o.StopPrice, Validity = o.Validity.ToString(), o.ExpiresOn, o.ExpiresAt, State = o.State.ToString(),
                CancelReason = o.CancelReason == null ? null : o.CancelReason.ToString(), o.RejectReason, o.TriggeredAt, o.FilledAmount, o.FeesPaid,
                o.CreatedAt, o.UpdatedAt,
            })
            .ToListAsync(ct);
        var events = await (
                from e in db.PaperOrderEvents.AsNoTracking()
                join o in db.PaperOrders on e.OrderId equals o.Id
                where o.UserId == userId
                orderby e.Id
                select new { e.OrderId, Kind = e.Kind.ToString(), State = e.State.ToString(), e.Time, e.Quantity, e.Price, e.Fees, e.Reason })
            .ToListAsync(ct);
        var runs = await db.PaperRuns.AsNoTracking().Where(r => ids.Contains(r.AccountId)).OrderBy(r => r.AccountId).ThenBy(r => r.Run)
            .Select(r => new { r.AccountId, r.Run, r.StartedAt, r.EndedAt, r.StartingCash, r.EndingEquity, r.Return, r.Fills })
            .ToListAsync(ct);
        return new Dictionary<string, object?>
        {
            ["paperAccounts"] = accounts.Select(a => new
            {
                a.Id, Name = names.GetValueOrDefault(a.Id), a.StartingCash, a.Cash, a.ReservedCash, a.Run, a.RunStartedAt, a.OnLeaderboard, a.DisplayName,
                Competition = a.CompetitionId is { } c ? competitions.GetValueOrDefault(c) : null,
                Channels = a.Channels.Select(x => x.ToString()).ToArray(), a.CreatedAt,
            }).ToList(),
            ["paperOrders"] = orders,
            ["paperOrderEvents"] = events,
            ["paperRuns"] = runs,
        };
    }
}
