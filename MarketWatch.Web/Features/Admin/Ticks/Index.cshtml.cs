using MarketWatch.Web.Features.Trading;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Admin.Ticks;

/// <summary>The tick grid's bands paper orders are checked against: from a price, the step prices move by. Who changed them last.</summary>
public sealed class IndexModel(TickSizes ticks, IStringLocalizer<SharedResource> L) : PageModel
{
    /// <summary>Empty rows offered under the stored bands, to add one.</summary>
    public const int SpareRows = 2;

    [BindProperty]
    public List<TickBandInput> Bands { get; set; } = [];

    public List<TickSizeBand> Stored { get; private set; } = [];

    public TickSizeBand? LastChange => Stored.Where(b => b.UpdatedAt is not null).MaxBy(b => b.UpdatedAt);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Stored = await ticks.ListAsync(cancellationToken);
        Bands = Stored.Select(b => new TickBandInput(b.MinPrice, b.Tick)).ToList();
        Pad();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        // A number that did not parse reaches the bands' own rule (empty), worded in the reader's language.
        foreach (var key in ModelState.Keys.Where(k => k.StartsWith("Bands", StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
        Bands = Bands.Take(TickSizes.MaxBands + SpareRows).ToList();
        var saved = await ticks.SaveAsync(Bands, User.Identity?.Name, cancellationToken);
        if (saved.Error is not null)
        {
            foreach (var error in TickSizes.Errors(Bands))
            {
                ModelState.AddModelError(error.Field, error.Message.In(L));
            }
            Stored = await ticks.ListAsync(cancellationToken);
            Pad();
            return Page();
        }
        TempData["Status"] = L["The tick sizes were saved."].Value;
        return RedirectToPage();
    }

    public string? ErrorOf(string key) => ViewData.ModelState[key]?.Errors.FirstOrDefault()?.ErrorMessage;

    private void Pad()
    {
        while (Bands.Count < Math.Min(TickSizes.MaxBands, Stored.Count + SpareRows))
        {
            Bands.Add(new TickBandInput(null, null));
        }
    }
}
