using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// <c>/paper/leaderboard</c>: the accounts their owners put on the board, by time-weighted return over 1M, 3M or since
/// their run started, or a competition's accounts since its start. Display names only; the reader's own rows stand out,
/// and the reader can put an account on the board (or take it off) from here as from the account's settings.
/// </summary>
public sealed class LeaderboardModel(Leaderboard leaderboard, PaperAccounts accounts, DbContext db,
    UserManager<ApplicationUser> users, IStringLocalizer<SharedResource> L) : PageModel
{
    public LeaderboardPeriod Period { get; private set; }
    public PaperCompetition? Competition { get; private set; }
    public LeaderboardRanking Ranking { get; private set; } = null!;
    public List<PaperCompetition> Competitions { get; private set; } = [];
    public List<(PaperAccount Account, string Name)> Mine { get; private set; } = [];
    public string UserId => users.GetUserId(User)!;

    /// <summary>The account whose opt-in form failed, what was typed, and why.</summary>
    public int? FailedId { get; private set; }
    public string? TypedName { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(string? period, int? competition, CancellationToken cancellationToken) =>
        await LoadAsync(period, competition, cancellationToken);

    public async Task<IActionResult> OnPostShowAsync(int accountId, bool onLeaderboard, string? displayName, string? period, int? competition,
        CancellationToken cancellationToken)
    {
        var account = await db.Set<PaperAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId && a.UserId == UserId, cancellationToken);
        if (account is null)
        {
            return NotFound();
        }
        var saved = await accounts.SettingsAsync(UserId, accountId, new PaperAccountSettings(onLeaderboard, displayName, account.Channels), cancellationToken);
        if (saved.Error is { } error)
        {
            (FailedId, TypedName, Error) = (accountId, displayName, error.Message.In(L));
            await LoadAsync(period, competition, cancellationToken);
            return Page();
        }
        TempData["Status"] = (onLeaderboard ? L["Your account is on the leaderboard."] : L["Your account is off the leaderboard."]).Value;
        return Redirect(competition is { } c ? $"/paper/leaderboard?competition={c}" : $"/paper/leaderboard?period={LeaderboardPeriods.Parse(period).Code()}");
    }

    private async Task LoadAsync(string? period, int? competition, CancellationToken cancellationToken)
    {
        Period = LeaderboardPeriods.Parse(period);
        Competitions = await leaderboard.CompetitionsAsync(cancellationToken);
        Competition = Competitions.FirstOrDefault(c => c.Id == competition);
        Ranking = await leaderboard.RankAsync(Period, Competition?.Id, cancellationToken);
        var userId = UserId;
        Mine = (await (
                from a in db.Set<PaperAccount>().AsNoTracking()
                join p in db.Set<Portfolio>().AsNoTracking() on a.Id equals p.Id
                where a.UserId == userId
                orderby a.Id
                select new { Account = a, p.Name })
            .ToListAsync(cancellationToken)).Select(x => (x.Account, x.Name)).ToList();
    }
}
