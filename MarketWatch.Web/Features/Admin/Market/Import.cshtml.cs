using MarketWatch.Web.Features.Market.Import;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Admin.Market;

/// <summary>Upload daily bars as CSV: all rows or none, with a line-by-line report.</summary>
[RequestSizeLimit(MaxBytes)]
public sealed class ImportModel(BarImport import, IStringLocalizer<SharedResource> L) : PageModel
{
    public const int MaxBytes = 20 * 1024 * 1024;

    [BindProperty]
    public IFormFile? Upload { get; set; }

    public ImportReport? Report { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), L["Choose a CSV file."]);
            return Page();
        }
        using var reader = new StreamReader(Upload.OpenReadStream());
        Report = await import.ImportAsync(reader, cancellationToken);
        return Page();
    }
}
