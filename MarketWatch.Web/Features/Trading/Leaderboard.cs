using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace MarketWatch.Web.Features.Trading;

/// <summary>The periods the leaderboard ranks over. Query strings: 1M 3M ALL.</summary>
public enum LeaderboardPeriod { M1, M3, All }

/// <summary>One ranked paper account: its display name only (never its owner's name or email).</summary>
/// <param name="Return">Time-weighted return over the period, a fraction; null when there is nothing to measure yet.</param>
/// <param name="OwnerId">Only to mark the reader's own rows; never shown.</param>
public sealed record LeaderboardEntry(int Rank, int AccountId, string DisplayName, decimal? Return, DateOnly From, DateOnly Since, string OwnerId);

/// <summary>A ranking as computed at <see cref="ComputedAt"/> (the page may show it for up to <see cref="Leaderboard.CacheFor"/>).</summary>
public sealed record LeaderboardRanking(LeaderboardPeriod Period, int? CompetitionId, IReadOnlyList<LeaderboardEntry> Entries, DateTimeOffset ComputedAt);

public static class LeaderboardPeriods
{
    public static IReadOnlyList<LeaderboardPeriod> All { get; } = Enum.GetValues<LeaderboardPeriod>();

    public static string Code(this LeaderboardPeriod period) => period switch
    {
        LeaderboardPeriod.M1 => "1M",
        LeaderboardPeriod.M3 => "3M",
        _ => "ALL",
    };

    /// <summary>Parses 1M, 3m, all (case-insensitive); anything else is <see cref="LeaderboardPeriod.All"/>.</summary>
    public static LeaderboardPeriod Parse(string? code) =>
        All.FirstOrDefault(p => string.Equals(p.Code(), code?.Trim(), StringComparison.OrdinalIgnoreCase), LeaderboardPeriod.All);

    /// <summary>The calendar date the period looks back to (null: since the account's run start).</summary>
    public static DateOnly? StartOn(this LeaderboardPeriod period, DateOnly today) => period switch
    {
        LeaderboardPeriod.M1 => today.AddMonths(-1),
        LeaderboardPeriod.M3 => today.AddMonths(-3),
        _ => null,
    };
}

/// <summary>
/// The paper-trading leaderboard: the accounts their owners put on it, ranked by time-weighted return over 1M, 3M or
/// since the run started (a competition's accounts since the competition's start). Each return is read off the account's
/// portfolio performance report (the same growth index the portfolio pages chart: one calculation), and a ranking is
/// kept for a minute so the page stays cheap however often it is read.
/// </summary>
public sealed class Leaderboard(DbContext db, PortfolioPerformance performance, IMemoryCache cache, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    public const int MaxEntries = 500;

    private static (string, LeaderboardPeriod, int?) Key(LeaderboardPeriod period, int? competitionId) =>
        ("paper-leaderboard", competitionId is null ? period : LeaderboardPeriod.All, competitionId);

    /// <summary>Drops this instance's kept rankings an account's change shows in (its owner put it on or off the board).</summary>
    public static void Forget(IMemoryCache cache, int? competitionId)
    {
        foreach (var period in LeaderboardPeriods.All)
        {
            cache.Remove(Key(period, null));
        }
        if (competitionId is not null)
        {
            cache.Remove(Key(LeaderboardPeriod.All, competitionId));
        }
    }

    /// <summary>
    /// One computation at a time in this process: a request that finds no kept ranking waits for the one computing, then
    /// reads what it kept, so a cache miss under load costs one computation, not one per request.
    /// </summary>
    private static readonly SemaphoreSlim Computing = new(1, 1);

    public async Task<LeaderboardRanking> RankAsync(LeaderboardPeriod period, int? competitionId, CancellationToken cancellationToken)
    {
        var key = Key(period, competitionId);
        if (cache.TryGetValue(key, out LeaderboardRanking? cached) && cached is not null)
        {
            return cached;
        }
        await Computing.WaitAsync(cancellationToken);
        try
        {
            if (cache.TryGetValue(key, out cached) && cached is not null)
            {
                return cached;
            }
            // The general board's three periods come from the same series: all three are computed and kept at once.
            var rankings = await ComputeAsync(competitionId, cancellationToken);
            foreach (var ranking in rankings)
            {
                cache.Set(Key(ranking.Period, ranking.CompetitionId), ranking, CacheFor);
            }
            return rankings.First(r => Key(r.Period, r.CompetitionId) == key);
        }
        finally
        {
            Computing.Release();
        }
    }

    /// <summary>The competitions the leaderboard can be filtered by (newest first).</summary>
    public Task<List<PaperCompetition>> CompetitionsAsync(CancellationToken cancellationToken) =>
        db.PaperCompetitions.AsNoTracking().OrderByDescending(c => c.StartsOn).ThenByDescending(c => c.Id).ToListAsync(cancellationToken);

    private async Task<List<LeaderboardRanking>> ComputeAsync(int? competitionId, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        List<(LeaderboardPeriod Period, DateOnly? From, DateOnly? To)> windows;
        if (competitionId is { } id)
        {
            // A competition ranks its accounts from its first day to its last, whatever the period.
            var competition = await db.PaperCompetitions.AsNoTracking().Where(c => c.Id == id)
                .Select(c => new { c.StartsOn, c.EndsOn }).FirstOrDefaultAsync(ct);
            windows = [(LeaderboardPeriod.All, competition?.StartsOn, competition?.EndsOn)];
        }
        else
        {
            windows = LeaderboardPeriods.All.Select(p => (p, p.StartOn(today), (DateOnly?)null)).ToList();
        }
        var accounts = await (
                from a in db.PaperAccounts.AsNoTracking()
                join p in db.Set<Portfolio>().AsNoTracking() on a.Id equals p.Id
                where a.OnLeaderboard && (competitionId == null || a.CompetitionId == competitionId)
                select new { Account = a, Portfolio = p })
            .ToListAsync(ct);
        // One performance report per account, read for every window.
        var measured = new List<(PaperAccount Account, (decimal? Return, DateOnly From)[] Windows)>(accounts.Count);
        foreach (var row in accounts)
        {
            var report = await performance.ForAsync(row.Portfolio, PerformanceRange.All, ct);
            // The series starts the session before the first deposit (its zero base): the reader is told the opening day.
            var opened = ExchangeCalendar.ExchangeDate(row.Account.RunStartedAt);
            measured.Add((row.Account, windows.Select(w =>
            {
                var (twr, start) = Since(report.Series, w.From, w.To);
                return (twr, start is { } s && s > opened ? s : opened);
            }).ToArray()));
        }
        var computedAt = clock.GetUtcNow();
        return windows.Select((w, n) => new LeaderboardRanking(w.Period, competitionId, measured
                .Select(m => (m.Account, m.Windows[n].Return, m.Windows[n].From))
                .OrderByDescending(m => m.Return.HasValue).ThenByDescending(m => m.Return).ThenBy(m => m.Account.RunStartedAt).ThenBy(m => m.Account.Id)
                .Take(MaxEntries)
                .Select((m, i) => new LeaderboardEntry(i + 1, m.Account.Id, DisplayName(m.Account), m.Return, m.From,
                    ExchangeCalendar.ExchangeDate(m.Account.RunStartedAt), m.Account.UserId))
                .ToList(), computedAt))
            .ToList();
    }

    /// <summary>What the board calls an account: the display name its owner chose, else a neutral number.</summary>
    public static string DisplayName(PaperAccount account) =>
        string.IsNullOrWhiteSpace(account.DisplayName) ? $"#{account.Id}" : account.DisplayName.Trim();

    /// <summary>
    /// The time-weighted return from the last session on or before <paramref name="from"/> (null: the first session) to
    /// the last point on or before <paramref name="to"/> (null: the last point), off the report's growth index; the base
    /// is found as the report finds a range's base.
    /// </summary>
    public static (decimal? Return, DateOnly? From) Since(IReadOnlyList<PerformancePoint> points, DateOnly? from, DateOnly? to = null)
    {
        if (points.Count == 0)
        {
            return (null, null);
        }
        var end = points.Count - 1;
        if (to is { } last)
        {
            while (end > 0 && points[end].Date > last)
            {
                end--;
            }
        }
        var b = 0;
        if (from is { } start)
        {
            b = -1;
            for (var i = 0; i <= end && points[i].Date <= start; i++)
            {
                b = i;
            }
            b = Math.Clamp(b, 0, Math.Max(0, end - 1));
        }
        var baseIndex = points[b].PortfolioIndex;
        return baseIndex > 0 ? (Math.Round(points[end].PortfolioIndex / baseIndex - 1, 8), points[b].Date) : (null, points[b].Date);
    }
}
