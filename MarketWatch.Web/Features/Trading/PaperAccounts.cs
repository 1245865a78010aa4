using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Trading;

/// <summary>What a user gives to open a paper account; <see cref="StartingCash"/> null takes the default (a competition's own applies when given).</summary>
public sealed record PaperAccountInput(string? Name, decimal? StartingCash, int? CompetitionId = null);

/// <summary>
/// An account's settings: the leaderboard opt-in and name, and where fills and rejections are told.
/// <paramref name="Unchangeable"/>: channels the form could not offer (not set up yet, so their boxes were disabled and
/// not posted): the account keeps whatever it had chosen for them.
/// </summary>
public sealed record PaperAccountSettings(bool OnLeaderboard, string? DisplayName, Channel[] Channels, IReadOnlyCollection<Channel>? Unchangeable = null);

/// <summary>
/// A paper account with its figures now, from the portfolio services (one calculation): <see cref="Equity"/> is the
/// portfolio's value (cash, reserved included, plus holdings at the latest prices), <see cref="Return"/> its
/// time-weighted return since the run started and <see cref="MasiReturn"/> the MASI's over the same sessions (fractions).
/// </summary>
public sealed record PaperAccountView(PaperAccount Account, string Name, PortfolioSnapshot Snapshot, decimal Equity, decimal ProfitLoss, decimal Return,
    decimal? MasiReturn, int OpenOrders);

/// <summary>
/// A user's paper accounts: open (a Paper portfolio, its account row and the starting deposit, in one transaction),
/// list, settings, reset (a new run, the previous one's result kept) and delete. Another user's account is not found.
/// </summary>
public sealed class PaperAccounts(
    DbContext db,
    PortfolioHoldings holdings,
    PortfolioPerformance performance,
    IOptions<TradingOptions> options,
    TimeProvider clock,
    IServiceProvider services,
    Microsoft.Extensions.Caching.Memory.IMemoryCache cache,
    ILogger<PaperAccounts> logger)
{
    private UserLimit Accounts => new("paper-accounts", options.Value.MaxAccountsPerUser, "",
        new Text("You can have at most {0} paper accounts. Delete one to open another.", options.Value.MaxAccountsPerUser));

    public async Task<List<PaperAccountView>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var ids = await db.PaperAccounts.AsNoTracking().Where(a => a.UserId == userId).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(cancellationToken);
        var views = new List<PaperAccountView>(ids.Count);
        foreach (var id in ids)
        {
            if (await GetAsync(userId, id, cancellationToken) is { } view)
            {
                views.Add(view);
            }
        }
        return views;
    }

    public async Task<PaperAccountView?> GetAsync(string userId, int id, CancellationToken cancellationToken)
    {
        var account = await db.PaperAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.UserId == userId, cancellationToken);
        var portfolio = account is null ? null
            : await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.UserId == userId, cancellationToken);
        if (account is null || portfolio is null)
        {
            return null;
        }
        var snapshot = await holdings.ForAsync(portfolio, cancellationToken);
        var (twr, masi) = await ReturnsAsync(portfolio, cancellationToken);
        var open = await db.PaperOrders.CountAsync(o => o.AccountId == id
            && (o.State == OrderState.Pending || o.State == OrderState.Open || o.State == OrderState.PartiallyFilled), cancellationToken);
        return new PaperAccountView(account, portfolio.Name, snapshot, snapshot.Value, snapshot.Value - account.StartingCash, twr ?? 0, masi, open);
    }

    /// <summary>The run's time-weighted return and the MASI's (the portfolio's whole history is the current run: a reset clears it).</summary>
    private async Task<(decimal? Twr, decimal? Masi)> ReturnsAsync(Portfolio portfolio, CancellationToken cancellationToken)
    {
        var report = await performance.ForAsync(portfolio, PerformanceRange.All, cancellationToken);
        return (report.Figures.Twr, report.Figures.MasiTwr);
    }

    public async Task<Outcome<PaperAccount>> OpenAsync(string userId, PaperAccountInput input, CancellationToken cancellationToken)
    {
        if (PortfolioService.InputError(new PortfolioInput(input.Name, null, PortfolioKind.Paper)) is { } nameError)
        {
            return new Outcome<PaperAccount>(default, nameError with { Field = nameof(PaperAccountInput.Name) }, true);
        }
        var startingCash = input.StartingCash ?? options.Value.DefaultStartingCash;
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        if (input.CompetitionId is { } competitionId)
        {
            var competition = await db.PaperCompetitions.AsNoTracking().SingleOrDefaultAsync(c => c.Id == competitionId, cancellationToken);
            if (competition is null || competition.EndsOn < today)
            {
                return Outcome<PaperAccount>.Refused(nameof(PaperAccountInput.CompetitionId), new Text("This competition has ended or does not exist."));
            }
            startingCash = competition.StartingCash;
        }
        else if (startingCash < options.Value.MinStartingCash || startingCash > options.Value.MaxStartingCash || Math.Round(startingCash, 2) != startingCash)
        {
            return Outcome<PaperAccount>.Refused(nameof(PaperAccountInput.StartingCash), new Text("Choose starting cash from {0} to {1} MAD, to the centime.",
                OrderEntry.Price(options.Value.MinStartingCash), OrderEntry.Price(options.Value.MaxStartingCash)));
        }
        return await Accounts.CheckAsync(db, userId,
            async () => await db.PaperAccounts.CountAsync(a => a.UserId == userId, cancellationToken) + 1,
            reached => new Outcome<PaperAccount>(default, reached, true),
            async () =>
            {
                // Under the user's lock: two joins of one competition at once cannot both pass this check.
                if (input.CompetitionId is { } joined
                    && await db.PaperAccounts.AnyAsync(a => a.UserId == userId && a.CompetitionId == joined, cancellationToken))
                {
                    return Outcome<PaperAccount>.Refused(nameof(PaperAccountInput.CompetitionId), new Text("You already have an account in this competition."));
                }
                var now = clock.GetUtcNow();
                var portfolio = new Portfolio
                {
                    UserId = userId,
                    Name = input.Name!.Trim(),
                    Kind = PortfolioKind.Paper,
                    AccountAtBank = false,
                    CreatedAt = now,
                    Version = 1,
                };
                db.Add(portfolio);
                await db.SaveChangesAsync(cancellationToken);
                var account = new PaperAccount
                {
                    Id = portfolio.Id,
                    UserId = userId,
                    StartingCash = startingCash,
                    Cash = startingCash,
                    Run = 1,
                    RunStartedAt = now,
                    CompetitionId = input.CompetitionId,
                    CreatedAt = now,
                };
                db.Add(account);
                db.Add(Deposit(portfolio.Id, startingCash, now));
                await db.SaveChangesAsync(cancellationToken);
                return Outcome<PaperAccount>.Done(account);
            }, cancellationToken);
    }

    public async Task<Outcome<PaperAccount>> SettingsAsync(string userId, int id, PaperAccountSettings settings, CancellationToken cancellationToken)
    {
        var account = await db.PaperAccounts.SingleOrDefaultAsync(a => a.Id == id && a.UserId == userId, cancellationToken);
        if (account is null)
        {
            return Outcome<PaperAccount>.Missing;
        }
        var name = settings.DisplayName?.Trim();
        if (settings.OnLeaderboard && string.IsNullOrEmpty(name))
        {
            return Outcome<PaperAccount>.Refused(nameof(PaperAccountSettings.DisplayName), new Text("Enter the name to show on the leaderboard."));
        }
        if (name?.Length > PaperAccount.DisplayNameMaxLength)
        {
            return Outcome<PaperAccount>.Refused(nameof(PaperAccountSettings.DisplayName),
                new Text("The name can be at most {0} characters long.", PaperAccount.DisplayNameMaxLength));
        }
        if (settings.Channels.Any(c => !Enum.IsDefined(c)))
        {
            return Outcome<PaperAccount>.Refused(nameof(PaperAccountSettings.Channels), new Text("Choose channels from the list."));
        }
        account.OnLeaderboard = settings.OnLeaderboard;
        account.DisplayName = string.IsNullOrEmpty(name) ? null : name;
        // In-app is always told (the bell); the others as chosen.
        var kept = settings.Unchangeable is { } fixedOnes ? account.Channels.Where(fixedOnes.Contains) : [];
        account.Channels = settings.Channels.Where(c => settings.Unchangeable?.Contains(c) != true)
            .Concat(kept).Append(Channel.InApp).Distinct().Order().ToArray();
        await db.SaveChangesAsync(cancellationToken);
        // The reader sees the leaderboard change at once; everyone else within the minute the ranking is kept.
        Leaderboard.Forget(cache, account.CompetitionId);
        return Outcome<PaperAccount>.Done(account);
    }

    /// <summary>
    /// Ends the run: cancels live orders (reason Reset), records its result (equity now, time-weighted return since it
    /// started, number of fills), deletes the portfolio's transactions and the positions, deposits the starting cash
    /// again and starts run + 1, in one transaction under the account's lock.
    /// </summary>
    public async Task<Outcome<PaperRun>> ResetAsync(string userId, int id, CancellationToken cancellationToken)
    {
        var current = await db.PaperAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.UserId == userId, cancellationToken);
        var currentPortfolio = current is null ? null
            : await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.UserId == userId, cancellationToken);
        if (current is null || currentPortfolio is null)
        {
            return Outcome<PaperRun>.Missing;
        }
        if (current.CompetitionId is { } competitionId
            && await db.PaperCompetitions.AsNoTracking().SingleOrDefaultAsync(c => c.Id == competitionId, cancellationToken) is { } competition
            && competition.EndsOn >= ExchangeCalendar.ExchangeDate(clock.GetUtcNow()))
        {
            return Outcome<PaperRun>.Refused("", new Text("A competition account cannot be reset before its competition ends ({0}).", Format.Date(competition.EndsOn)));
        }
        // The run's result is computed before the lock (the slow part: holdings and the time-weighted return); the locked
        // section only cancels, records and clears. A fill landing in between is in the next reset's figures, not lost:
        // the fills counted and the transactions deleted are those of the run, under the lock.
        var snapshot = await holdings.ForAsync(currentPortfolio, cancellationToken);
        decimal? twr = null;
        try
        {
            twr = (await ReturnsAsync(currentPortfolio, cancellationToken)).Twr;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The run is kept without its return rather than not reset at all.
            logger.LogWarning(e, "Could not compute the return of paper account {AccountId}'s run {Run}", id, current.Run);
        }
        DateOnly? from = null;
        var outcome = await AdvisoryLock.InTransactionAsync(db, OrderEntry.LockName(id), async () =>
        {
            var account = await db.PaperAccounts.SingleOrDefaultAsync(a => a.Id == id && a.UserId == userId, cancellationToken);
            var portfolio = await db.Portfolios.SingleOrDefaultAsync(p => p.Id == id && p.UserId == userId, cancellationToken);
            if (account is null || portfolio is null)
            {
                return Outcome<PaperRun>.Missing;
            }
            var now = clock.GetUtcNow();
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
            var live = await db.PaperOrders.Where(o => o.AccountId == id
                && (o.State == OrderState.Pending || o.State == OrderState.Open || o.State == OrderState.PartiallyFilled)).Select(o => o.Id).ToListAsync(cancellationToken);
            if (account.Run != current.Run)
            {
                // Reset meanwhile by another request: this one's figures are of a run already ended.
                return Outcome<PaperRun>.Refused("", new Text("This account was reset meanwhile: reload the page."));
            }
            await OrderCancellation.CancelAsync(connection, transaction, live, CancelReason.Reset, now, cancellationToken);
            var fills = await db.PaperOrderEvents.CountAsync(e => e.Kind == OrderEventKind.Fill
                && db.Set<PaperOrder>().Any(o => o.Id == e.OrderId && o.AccountId == id && o.Run == account.Run), cancellationToken);
            var run = new PaperRun
            {
                AccountId = id,
                Run = account.Run,
                StartedAt = account.RunStartedAt,
                EndedAt = now,
                StartingCash = account.StartingCash,
                EndingEquity = snapshot.Value,
                Return = twr is { } r ? Math.Round(r, 8) : null,
                Fills = fills,
            };
            db.Add(run);
            from = await db.PortfolioTransactions.Where(t => t.PortfolioId == id).MinAsync(t => (DateOnly?)t.Date, cancellationToken);
            await db.PortfolioTransactions.Where(t => t.PortfolioId == id).ExecuteDeleteAsync(cancellationToken);
            await db.PaperPositions.Where(p => p.AccountId == id).ExecuteDeleteAsync(cancellationToken);
            await db.Entry(account).ReloadAsync(cancellationToken);
            account.Cash = account.StartingCash;
            account.ReservedCash = 0;
            account.Run++;
            account.RunStartedAt = now;
            portfolio.Version++;
            db.Add(Deposit(id, account.StartingCash, now));
            await db.SaveChangesAsync(cancellationToken);
            await TradingChannels.AccountsChangedAsync(connection, [id], cancellationToken, transaction);
            return Outcome<PaperRun>.Done(run);
        }, cancellationToken);
        if (outcome.Value is not null)
        {
            await PortfolioChangedAsync(id, from ?? ExchangeCalendar.ExchangeDate(outcome.Value.StartedAt), cancellationToken);
        }
        return outcome;
    }

    /// <summary>Deletes the account with its portfolio, orders, positions and runs (the database cascades); false when not the user's.</summary>
    public async Task<bool> DeleteAsync(string userId, int id, CancellationToken cancellationToken) =>
        await db.PaperAccounts.AnyAsync(a => a.Id == id && a.UserId == userId, cancellationToken)
        && await AdvisoryLock.InTransactionAsync(db, OrderEntry.LockName(id), async () =>
        {
            var live = await db.PaperOrders.Where(o => o.AccountId == id
                && (o.State == OrderState.Pending || o.State == OrderState.Open || o.State == OrderState.PartiallyFilled)).Select(o => o.Id).ToListAsync(cancellationToken);
            var deleted = await db.Portfolios.Where(p => p.Id == id && p.UserId == userId && p.Kind == PortfolioKind.Paper).ExecuteDeleteAsync(cancellationToken) > 0;
            if (deleted)
            {
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
                await TradingChannels.OrdersChangedAsync(connection, live, cancellationToken, transaction);
                await TradingChannels.AccountsChangedAsync(connection, [id], cancellationToken, transaction);
            }
            return deleted;
        }, cancellationToken);

    /// <summary>The user's accounts' ids and names, in id order: one cheap query (no holdings, no performance), for the stock page's ticket.</summary>
    public async Task<List<(int Id, string Name)>> NamesAsync(string userId, CancellationToken cancellationToken) =>
        (await db.Portfolios.AsNoTracking()
            .Where(p => p.UserId == userId && p.Kind == PortfolioKind.Paper && db.Set<PaperAccount>().Any(a => a.Id == p.Id))
            .OrderBy(p => p.Id).Select(p => new { p.Id, p.Name }).ToListAsync(cancellationToken))
        .Select(p => (p.Id, p.Name)).ToList();

    /// <summary>Whether the user holds this account (a cheap 404 check).</summary>
    public Task<bool> OwnsAsync(string userId, int id, CancellationToken cancellationToken) =>
        db.PaperAccounts.AnyAsync(a => a.Id == id && a.UserId == userId, cancellationToken);

    /// <summary>The account's finished runs, latest first; null when it is not the user's.</summary>
    public async Task<List<PaperRun>?> RunsAsync(string userId, int id, CancellationToken cancellationToken) =>
        await db.PaperAccounts.AnyAsync(a => a.Id == id && a.UserId == userId, cancellationToken)
            ? await db.PaperRuns.AsNoTracking().Where(r => r.AccountId == id).OrderByDescending(r => r.Run).ToListAsync(cancellationToken)
            : null;

    /// <summary>The starting cash paid in, first thing of its day (it comes before any fill of the run in the portfolio's history).</summary>
    private static PortfolioTransaction Deposit(int portfolioId, decimal amount, DateTimeOffset now) => new()
    {
        PortfolioId = portfolioId,
        Type = TransactionType.Deposit,
        Date = ExchangeCalendar.ExchangeDate(now),
        Time = TimeOnly.MinValue,
        Amount = amount,
        CreatedAt = now,
    };

    private async Task PortfolioChangedAsync(int id, DateOnly from, CancellationToken cancellationToken)
    {
        foreach (var handler in services.GetServices<IPortfolioChangeHandler>())
        {
            try
            {
                await handler.OnChangedAsync(id, from, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "{Handler} failed after paper account {AccountId} was reset", handler.GetType().Name, id);
            }
        }
    }
}
