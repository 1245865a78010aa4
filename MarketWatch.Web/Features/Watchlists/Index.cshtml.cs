using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Watchlists;

public sealed class IndexModel(Watchlists lists, UserManager<Accounts.ApplicationUser> users) : PageModel
{
    public IReadOnlyList<WatchlistSummary> Lists { get; private set; } = [];

    [BindProperty]
    public string? Name { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Lists = await lists.ListAsync(users.GetUserId(User)!, cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var userId = users.GetUserId(User)!;
        var outcome = await lists.CreateAsync(userId, Name, cancellationToken);
        if (outcome.Error is { } error)
        {
            ModelState.AddModelError(nameof(Name), error.Message.In(HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<SharedResource>>()));
            Lists = await lists.ListAsync(userId, cancellationToken);
            return Page();
        }
        return RedirectToPage("/Watchlists/Detail", new { id = outcome.Value!.Id });
    }
}
