using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Features.Market.Quality;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Admin.Market;

public sealed class DataQualityModel(DataQuality quality, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty(SupportsGet = true)]
    [StringLength(1000, ErrorMessage = "The list of tickers can be at most {1} characters long.")]
    [Display(Name = "Tickers")]
    public string? Tickers { get; set; }

    [BindProperty(SupportsGet = true)]
    [Range(1, 2000, ErrorMessage = "Choose between {1} and {2} sessions.")]
    [Display(Name = "Sessions")]
    public int Sessions { get; set; } = DataQuality.DefaultSessions;

    public QualityReport? Report { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var tickers = Tickers?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (report, unknown) = await quality.RunAsync(tickers, Sessions, cancellationToken);
        if (report is null)
        {
            ModelState.AddModelError(nameof(Tickers), L["Unknown ticker(s): {0}.", string.Join(", ", unknown)]);
            return Page();
        }
        Report = report;
        return Page();
    }
}
