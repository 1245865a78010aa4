using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// <c>/paper/leaderboard</c>: the accounts their owners put on the board, by time-weighted return over 1M, 3M or since
/// their run started, or a competition's accounts since its start. Display names only; the reader's own rows stand out.
/// </summary>
public sealed class LeaderboardModel(Leaderboard leaderboard, UserManager<ApplicationUser> users) : PageModel
{
    public LeaderboardPeriod Period { get; private set; }
    public PaperCompetition? Competition { get; private set; }
    public LeaderboardRanking Ranking { get; private set; } = null!;
    public List<PaperCompetition> Competitions { get; private set; } = [];
    public string UserId => users.GetUserId(User)!;

    public async Task OnGetAsync(string? period, int? competition, CancellationToken cancellationToken)
    {
        Period = LeaderboardPeriods.Parse(period);
        Competitions = await leaderboard.CompetitionsAsync(cancellationToken);
        Competition = Competitions.FirstOrDefault(c => c.Id == competition);
        Ranking = await leaderboard.RankAsync(Period, Competition?.Id, cancellationToken);
    }
}
