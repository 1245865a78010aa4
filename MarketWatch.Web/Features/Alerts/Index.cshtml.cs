using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Alerts;

/// <summary><c>/alerts</c>: the user's alerts, filtered by state and searched, with pause/resume, test and delete.</summary>
public sealed class IndexModel(AlertQueries alerts, AlertCommands commands, UserManager<ApplicationUser> users, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public AlertFilter Status { get; set; } = AlertFilter.All;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public List<AlertSummary> Alerts { get; private set; } = [];

    private string UserId => users.GetUserId(User)!;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Alerts = await alerts.ListAsync(UserId, Status, Q, cancellationToken);
        ConfirmChange();
        // The live search swaps only the table.
        return this.PartialOrPage("_AlertTable");
    }

    public const string DoneKey = "AlertDone";
    public const string Created = "created:";
    public const string Saved = "saved:";

    /// <summary>After a create or an edit: the confirmation says what the table shows for that alert (armed, or already fired).</summary>
    private void ConfirmChange()
    {
        if (TempData[DoneKey] is not string done)
        {
            return;
        }
        var created = done.StartsWith(Created, StringComparison.Ordinal);
        var parts = done.Split(':');
        if (parts.Length != 3 || !long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var at))
        {
            return;
        }
        var since = DateTimeOffset.FromUnixTimeMilliseconds(at);
        var fired = Alerts.FirstOrDefault(a => a.Id == id) is { LastFiredAt: { } last } && last >= since;
        TempData["Status"] = (created, fired) switch
        {
            (true, true) => L["Alert created. Its condition already held, so it fired at once."].Value,
            (true, false) => L["Alert created. It is armed."].Value,
            (false, true) => L["Alert saved. Its condition already held, so it fired at once."].Value,
            (false, false) => L["Alert saved. It is armed again from the current price."].Value,
        };
    }

    public async Task<IActionResult> OnPostPauseAsync(long id, CancellationToken cancellationToken) =>
        Done(await commands.SetPausedAsync(UserId, id, paused: true, cancellationToken), L["Alert paused."]);

    public async Task<IActionResult> OnPostResumeAsync(long id, CancellationToken cancellationToken) =>
        Done(await commands.SetPausedAsync(UserId, id, paused: false, cancellationToken), L["Alert resumed."]);

    /// <summary>A pause or resume: done, or refused with its reason (the cap on live alerts), shown on the list.</summary>
    private IActionResult Done(AlertChange change, string message) =>
        Done(change.Found, change.Errors.Count > 0 ? change.Errors[0].Message.In(L) : message);

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken cancellationToken) =>
        Done(await commands.DeleteAsync(UserId, id, cancellationToken), L["Alert deleted."]);

    public async Task<IActionResult> OnPostTestAsync(long id, CancellationToken cancellationToken)
    {
        var result = await commands.TestAsync(UserId, id, cancellationToken);
        return Done(result != TestResult.NotFound, result == TestResult.TooSoon
            ? L["Wait a moment before sending another test."]
            : L["A test was sent through each of the alert's channels. The results appear in its history."]);
    }

    /// <summary>Back to the list with the same filter, or 404 for an alert that is not the user's.</summary>
    private IActionResult Done(bool found, string message)
    {
        if (!found)
        {
            return NotFound();
        }
        TempData["Status"] = message;
        return RedirectToPage("/Alerts/Index", new { status = Status == AlertFilter.All ? null : Status.ToString() });
    }
}
