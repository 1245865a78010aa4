using MarketWatch.Web.Features.Trading;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Admin.Competitions;

/// <summary><c>/admin/competitions</c>: paper-trading competitions, created and changed by admins (dates, starting cash, rules).</summary>
public sealed class IndexModel(PaperCompetitions competitions, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>The competition being changed (null: a new one).</summary>
    [BindProperty(SupportsGet = true)]
    public int? Id { get; set; }

    public List<PaperCompetition> All { get; private set; } = [];

    public sealed class InputModel
    {
        public string? Name { get; set; }
        public DateOnly? StartsOn { get; set; }
        public DateOnly? EndsOn { get; set; }
        public decimal? StartingCash { get; set; }
        public string? Rules { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        All = await competitions.ListAllAsync(cancellationToken);
        if (Id is { } id)
        {
            if (All.FirstOrDefault(c => c.Id == id) is not { } c)
            {
                return NotFound();
            }
            Input = new InputModel { Name = c.Name, StartsOn = c.StartsOn, EndsOn = c.EndsOn, StartingCash = c.StartingCash, Rules = c.Rules };
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        // A value that did not parse is reported by the competition's own rule (empty), on its field, not by the binder's English.
        foreach (var field in new[] { nameof(InputModel.StartsOn), nameof(InputModel.EndsOn), nameof(InputModel.StartingCash) })
        {
            ModelState.Remove("Input." + field);
        }
        var saved = await competitions.SaveAsync(Id, new CompetitionInput(Input.Name, Input.StartsOn, Input.EndsOn, Input.StartingCash, Input.Rules),
            User.Identity?.Name, cancellationToken);
        if (!saved.Found)
        {
            return NotFound();
        }
        if (saved.Error is { } error)
        {
            ModelState.AddModelError("Input." + error.Field, error.Message.In(L));
            All = await competitions.ListAllAsync(cancellationToken);
            return Page();
        }
        TempData["Status"] = L["The competition {0} was saved.", saved.Value!.Name].Value;
        return RedirectToPage(new { id = (int?)null });
    }
}
