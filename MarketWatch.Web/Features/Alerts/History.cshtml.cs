using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>
/// <c>/alerts/{id}</c>: one alert and every firing with each channel's delivery result; <c>/alerts/history</c>:
/// the firings of all the user's alerts.
/// </summary>
public sealed class HistoryModel(AlertQueries alerts, AlertHistory history, UserManager<ApplicationUser> users) : PageModel
{
    public AlertSummary? Alert { get; private set; }
    public List<FiringSummary> Firings { get; private set; } = [];
    public List<TestDelivery> Tests { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken cancellationToken)
    {
        var userId = users.GetUserId(User)!;
        if (id is { } alertId)
        {
            Alert = await alerts.FindAsync(userId, alertId, cancellationToken);
            if (Alert is null)
            {
                return NotFound();
            }
            Tests = await history.TestsAsync(userId, alertId, cancellationToken);
        }
        Firings = await history.FiringsAsync(userId, id, 200, cancellationToken);
        return Page();
    }
}
