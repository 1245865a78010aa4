using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// <c>/paper/competitions</c>: the running and upcoming competitions with their rules; joining opens a fresh paper account
/// with the competition's starting cash, on its leaderboard under the name the user chooses.
/// </summary>
public sealed class CompetitionsModel(PaperCompetitions competitions, PaperAccounts accounts, UserManager<ApplicationUser> users,
    IStringLocalizer<SharedResource> L, TimeProvider clock) : PageModel
{
    public List<CompetitionView> Open { get; private set; } = [];

    /// <summary>The exchange's date now (the app's clock, as the services read it): a competition started on or before it is running.</summary>
    public DateOnly Today => ExchangeCalendar.ExchangeDate(clock.GetUtcNow());

    /// <summary>The competition whose join form failed, and the name that was typed.</summary>
    public int? FailedId { get; private set; }
    public string? TypedName { get; private set; }
    public string? Error { get; private set; }

    private string UserId => users.GetUserId(User)!;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Open = await competitions.OpenAsync(UserId, cancellationToken);

    public async Task<IActionResult> OnPostJoinAsync(int competitionId, string? displayName, CancellationToken cancellationToken)
    {
        var competition = await competitions.FindAsync(competitionId, cancellationToken);
        if (competition is null)
        {
            return NotFound();
        }
        var name = displayName?.Trim();
        // The leaderboard name is checked first, so a refused name leaves no account behind.
        var error = string.IsNullOrEmpty(name) ? new Text("Choose the name to show on the leaderboard.")
            : name.Length > PaperAccount.DisplayNameMaxLength ? new Text("At most {0} characters.", PaperAccount.DisplayNameMaxLength)
            : null;
        if (error is null)
        {
            var accountName = competition.Name.Length > Portfolio.NameMaxLength ? competition.Name[..Portfolio.NameMaxLength].TrimEnd() : competition.Name;
            var opened = await accounts.OpenAsync(UserId, new PaperAccountInput(accountName, null, competition.Id), cancellationToken);
            if (opened.Value is { } account)
            {
                var settings = await accounts.SettingsAsync(UserId, account.Id, new PaperAccountSettings(true, name, account.Channels), cancellationToken);
                if (settings.Error is { } settingsError)
                {
                    error = settingsError.Message;
                }
                else
                {
                    TempData["Status"] = L["You joined {0} with a fresh paper account of {1}.", competition.Name, Format.Mad(competition.StartingCash, L)].Value;
                    return Redirect($"/paper/{account.Id}");
                }
            }
            else
            {
                error = opened.Error?.Message ?? new Text("This competition is over.");
            }
        }
        (FailedId, TypedName, Error) = (competitionId, displayName, error.In(L));
        Open = await competitions.OpenAsync(UserId, cancellationToken);
        return Page();
    }
}
