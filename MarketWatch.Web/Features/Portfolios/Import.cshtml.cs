using MarketWatch.Web.Infrastructure.Csv;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>The three steps of an import, in order.</summary>
public enum ImportStep
{
    Upload,
    Mapping,
    Preview,
}

/// <summary>
/// Importing a broker statement in three steps: upload a CSV file; map its columns to transaction fields (guessed from
/// the header); preview the transactions with every row's problems. All or nothing: one error and nothing is stored,
/// the user fixes the file and uploads it again; none, and "Import" stores them all through the transaction service
/// (which checks tickers, quantities held and dates, and reports by row too). The file travels between the steps in a
/// protected form field (<see cref="StatementUploads"/>) and is read again at each step. Another user's portfolio: 404.
/// </summary>
public sealed class ImportModel(
    PortfolioService portfolios,
    PortfolioTransactions transactions,
    PortfolioHoldings holdings,
    StatementUploads uploads,
    IOptionsMonitor<CsvLimits> limits,
    UserManager<Accounts.ApplicationUser> users,
    IStringLocalizer<SharedResource> L) : PageModel
{
    /// <summary>The name of this import's <see cref="CsvLimits"/> (section <c>Portfolios:Import</c>).</summary>
    public const string Limits = "portfolios";
    /// <summary>Preview rows shown at most (all are imported).</summary>
    public const int PreviewShown = 200;

    public Portfolio Portfolio { get; private set; } = null!;
    public ImportStep Step { get; private set; } = ImportStep.Upload;
    public string? Payload { get; private set; }
    public string FileName { get; private set; } = "";
    public StatementTable? Table { get; private set; }
    public IReadOnlyList<StatementField> Map { get; private set; } = [];
    public IReadOnlyList<StatementRow> Rows { get; private set; } = [];
    /// <summary>Every row problem, by line (the page shows the first <see cref="ImportErrors.Shown"/>).</summary>
    public IReadOnlyList<StatementError> Errors { get; private set; } = [];
    public IReadOnlyList<MappingError> MappingErrors { get; private set; } = [];
    public int? Imported { get; private set; }
    /// <summary>What the portfolio holds after an import (shown with the confirmation).</summary>
    public IReadOnlyList<HoldingRow> Holdings { get; private set; } = [];

    public CsvLimits Limit => limits.Get(Limits);
    private string UserId => users.GetUserId(User)!;

    /// <summary>The fields a column can be mapped to, in the order the mapping lists them.</summary>
    public static IReadOnlyList<StatementField> Fields { get; } = Enum.GetValues<StatementField>();

    /// <summary>Up to three values of a column, for the mapping step.</summary>
    public IEnumerable<string> Samples(int column) =>
        Table!.Lines.Select(l => column < l.Values.Count ? l.Values[column] : "").Where(v => v.Length > 0).Take(3);

    private async Task<bool> LoadAsync(int id, CancellationToken cancellationToken)
    {
        if (await portfolios.FindAsync(UserId, id, cancellationToken) is not { } portfolio)
        {
            return false;
        }
        Portfolio = portfolio;
        return true;
    }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        Imported = TempData["Imported"] as int?;
        if (Imported is not null && await holdings.GetAsync(UserId, id, cancellationToken) is { } snapshot)
        {
            Holdings = snapshot.Holdings;
        }
        return Page();
    }

    /// <summary>
    /// A file chosen on the first step, or the fixed file uploaded again from the preview: that form also posts the mapping
    /// in use (<paramref name="map"/>) with the headers it was made for (<paramref name="columns"/>), kept when the new file
    /// has the same headers, so a mapping corrected by hand survives the fix; any other file gets the guessed mapping.
    /// </summary>
    public async Task<IActionResult> OnPostUploadAsync(int id, IFormFile? upload, List<StatementField>? map, List<string?>? columns,
        CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        if (upload is null || upload.Length == 0)
        {
            ModelState.AddModelError("upload", L["Choose a CSV file."]);
            return Page();
        }
        if (Limit.TooLarge(upload.Length) is { } tooLarge)
        {
            ModelState.AddModelError("upload", tooLarge.In(L));
            return Page();
        }
        using var buffer = new MemoryStream();
        await upload.CopyToAsync(buffer, cancellationToken);
        var text = Statement.Decode(buffer.ToArray());
        if (!Read(text))
        {
            return Page();
        }
        FileName = Path.GetFileName(upload.FileName);
        Payload = uploads.Protect(UserId, id, FileName, text);
        Map = SameColumns(Table!.Headers, map, columns) ? map! : Statement.Guess(Table.Headers);
        Step = ImportStep.Mapping;
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(int id, string? payload, List<StatementField>? map, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        Restore(id, payload, map);
        return Page();
    }

    /// <summary>Back from the preview to the mapping, with the mapping as it was.</summary>
    public async Task<IActionResult> OnPostMappingAsync(int id, string? payload, List<StatementField>? map, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        if (Restore(id, payload, map))
        {
            Step = ImportStep.Mapping;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostImportAsync(int id, string? payload, List<StatementField>? map, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }
        if (!Restore(id, payload, map) || Errors.Count > 0)
        {
            return Page();
        }
        var outcome = await transactions.AddManyAsync(UserId, id, Rows.Select(r => r.Input).ToList(), cancellationToken);
        if (!outcome.Found)
        {
            return NotFound();
        }
        if (outcome.Errors.Count > 0)
        {
            Errors = outcome.Errors
                .Select(e => new StatementError(e.Row >= 0 && e.Row < Rows.Count ? Rows[e.Row].Line : 1, ColumnOf(e.Error.Field), e.Error.Message))
                .OrderBy(e => e.Line).ToList();
            return Page();
        }
        TempData["Imported"] = outcome.Added;
        return RedirectToPage("/Portfolios/Import", new { id });
    }

    /// <summary>Whether a posted mapping was made for these headers: as many, the same names in the same order, every field known.</summary>
    private static bool SameColumns(IReadOnlyList<string> headers, List<StatementField>? map, List<string?>? columns) =>
        map is not null && columns is not null && map.Count == headers.Count && columns.Count == headers.Count
        && map.All(Enum.IsDefined) && headers.Select((h, i) => string.Equals(h, columns[i] ?? "", StringComparison.Ordinal)).All(same => same);

    /// <summary>The file's column a service error names (by <see cref="TransactionInput"/>'s property), or null for the row as a whole.</summary>
    private string? ColumnOf(string field)
    {
        if (!Enum.TryParse<StatementField>(field, ignoreCase: true, out var named) || named == StatementField.Ignore)
        {
            return null;
        }
        for (var i = 0; i < Map.Count && i < Table!.Headers.Count; i++)
        {
            if (Map[i] == named)
            {
                return Table.Headers[i];
            }
        }
        return null;
    }

    /// <summary>Reads the file into <see cref="Table"/>, or puts why not on the upload field.</summary>
    private bool Read(string text)
    {
        var read = Statement.Read(text, Limit);
        if (read.Table is null)
        {
            var message = read.Error!.In(L);
            ModelState.AddModelError("upload", read.Line > 1 ? L["Line {0}: {1}", read.Line, message].Value : message);
            return false;
        }
        Table = read.Table;
        return true;
    }

    /// <summary>
    /// The file back from the form (refused when changed, expired or another user's), read again with the posted
    /// mapping: the mapping step again when the mapping is incomplete, else the preview with every row's problems.
    /// </summary>
    private bool Restore(int id, string? payload, List<StatementField>? map)
    {
        if (uploads.Unprotect(UserId, id, payload) is not { } file)
        {
            ModelState.AddModelError("upload", L["The uploaded file has expired: choose it again."]);
            return false;
        }
        if (!Read(file.Text))
        {
            return false;
        }
        FileName = file.FileName;
        Payload = payload;
        var headers = Table!.Headers.Count;
        Map = Enumerable.Range(0, headers).Select(i => map is not null && i < map.Count && Enum.IsDefined(map[i]) ? map[i] : StatementField.Ignore).ToList();
        MappingErrors = Statement.MappingErrors(Map);
        if (MappingErrors.Count > 0)
        {
            Step = ImportStep.Mapping;
            return false;
        }
        var parse = Statement.Parse(Table, Map);
        Rows = parse.Rows;
        Errors = parse.Errors;
        Step = ImportStep.Preview;
        return true;
    }
}
