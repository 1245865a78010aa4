using MarketWatch.Web.Features.Market.Import;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Admin.Market;

/// <summary>Upload daily bars as CSV: all rows or none, with a line-by-line report.</summary>
[RequestSizeLimit(MaxRequestBytes)]
public sealed class ImportModel(BarImport import, IStringLocalizer<SharedResource> L) : PageModel
{
    /// <summary>The request cap; the file's own cap is <c>Market:Import:MaxBytes</c> (20 MB), refused with a field error.</summary>
    public const int MaxRequestBytes = 64 * 1024 * 1024;

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
        if (import.Limit.TooLarge(Upload.Length) is { } tooLarge)
        {
            ModelState.AddModelError(nameof(Upload), tooLarge.In(L));
            return Page();
        }
        using var reader = new StreamReader(Upload.OpenReadStream());
        var report = await import.ImportAsync(reader, cancellationToken);
        if (report.Refused is { } refused)
        {
            ModelState.AddModelError(nameof(Upload), refused.In(L));
            return Page();
        }
        Report = report;
        return Page();
    }
}
