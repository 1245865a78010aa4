using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>
/// The import page over HTTP (upload, mapping, preview, import: all or nothing, row-level report), the file limits, the
/// export (CSV re-imports to the same holdings; JSON), and another user's portfolio: 404 on every handler.
/// </summary>
public sealed partial class ImportPageTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Portfolios:Import:MaxBytes"] = "8192",
        ["Portfolios:Import:MaxRows"] = "60",
    };

    private async Task<(HttpClient Client, string UserId, int PortfolioId)> OwnerAsync(string prefix)
    {
        var client = Client();
        var email = NewEmail(prefix);
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var userId = (await App.FindUserAsync(email))!.Id;
        return (client, userId, await CreatePortfolioAsync(userId, "Imported"));
    }

    private async Task<int> CreatePortfolioAsync(string userId, string name)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<PortfolioService>().CreateAsync(userId, new PortfolioInput(name, null), CancellationToken.None);
        Assert.That(outcome.Value, Is.Not.Null, () => outcome.Error?.Message.ToString() ?? "");
        return outcome.Value!.Id;
    }

    private Task<int> CountAsync(int portfolioId) => App.WithDbAsync(db => db.PortfolioTransactions.CountAsync(t => t.PortfolioId == portfolioId));

    private Task<Ledger> LedgerAsync(int portfolioId) =>
        App.WithDbAsync(async db => Ledger.Replay(await db.PortfolioTransactions.AsNoTracking().Where(t => t.PortfolioId == portfolioId).ToListAsync()));

    private static async Task<string> TokenAsync(HttpClient client, int id)
    {
        var html = await (await client.GetAsync($"/portfolios/{id}/import")).Content.ReadAsStringAsync();
        return WebUtility.HtmlDecode(Token().Match(html).Groups[1].Value);
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, int id, byte[] file, string? token = null)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(file), "upload", "statement.csv" } };
        form.Add(new StringContent(token ?? await TokenAsync(client, id)), "__RequestVerificationToken");
        return await client.PostAsync($"/portfolios/{id}/import?handler=Upload", form);
    }

    /// <summary>The next step's form fields as the page rendered them: the protected file and the (guessed) mapping.</summary>
    private static Dictionary<string, string> StepFields(string html)
    {
        var fields = new Dictionary<string, string> { ["payload"] = WebUtility.HtmlDecode(Payload().Match(html).Groups[1].Value) };
        foreach (Match select in Select().Matches(html))
        {
            fields[$"map[{select.Groups[1].Value}]"] = Selected().Match(select.Groups[2].Value) is { Success: true } chosen ? chosen.Groups[1].Value : "Ignore";
        }
        return fields;
    }

    private static async Task<string> PostStepAsync(HttpClient client, int id, string handler, Dictionary<string, string> fields, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await PostFormAsync(client, $"/portfolios/{id}/import", fields, $"/portfolios/{id}/import?handler={handler}");
        Assert.That(response.StatusCode, Is.EqualTo(expected), handler);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Upload, then preview with the guessed mapping: the preview page.</summary>
    private static async Task<(string Html, Dictionary<string, string> Fields)> PreviewAsync(HttpClient client, int id, byte[] file)
    {
        var upload = await UploadAsync(client, id, file);
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var mapping = await upload.Content.ReadAsStringAsync();
        Assert.That(mapping, Does.Contain("data-testid=\"mapping-form\""), "the mapping step");
        var fields = StepFields(mapping);
        return (await PostStepAsync(client, id, "Preview", fields), fields);
    }

    private static List<(int Line, string Column)> ErrorsIn(string html) =>
        ErrorRow().Matches(html).Select(m => (int.Parse(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value))).ToList();

    [Test]
    public async Task A_file_with_bad_rows_is_reported_by_line_and_column_and_nothing_is_stored_even_when_import_is_posted()
    {
        var (client, _, id) = await OwnerAsync("badrows");
        var file = Encoding.UTF8.GetBytes("""
            Date;Sens;Valeur;Quantité;Cours;Frais
            02/01/2024;Dépôt;;;;
            03/01/2024;Achat;ATW;10;480,5;
            31/02/2024;Achat;IAM;5;100;
            04/01/2024;Troc;IAM;5;100;
            05/01/2024;Vente;ATW;dix;500;
            """);
        var (html, fields) = await PreviewAsync(client, id, file);
        Assert.That(ErrorsIn(html), Is.EqualTo(new[] { (4, "Date"), (5, "Sens"), (6, "Quantité") }));
        Assert.That(html, Does.Contain("Nothing was imported: 3 row(s) with errors out of 5."));
        Assert.That(html, Does.Not.Contain("data-testid=\"import-form\""), "no import button with errors");

        // Posting the import anyway (a crafted request) stores nothing and reports the same rows.
        var again = await PostStepAsync(client, id, "Import", fields);
        Assert.That(ErrorsIn(again), Is.EqualTo(new[] { (4, "Date"), (5, "Sens"), (6, "Quantité") }));
        Assert.That(await CountAsync(id), Is.EqualTo(0));
    }

    [Test]
    public async Task Rows_the_transaction_service_refuses_are_reported_by_line_and_nothing_is_stored()
    {
        var (client, _, id) = await OwnerAsync("service");
        // Well-formed, but a sale of more than is held and an unknown ticker: the service's checks, per row.
        var file = Encoding.UTF8.GetBytes("date,type,ticker,quantity,price\n2024-01-03,Buy,ATW,10,480\n2024-01-04,Sell,ATW,25,500\n2024-01-05,Buy,NOPE,1,10\n");
        var (html, fields) = await PreviewAsync(client, id, file);
        Assert.That(ErrorsIn(html), Is.Empty);
        Assert.That(html, Does.Contain("Import 3 transactions"));
        var report = await PostStepAsync(client, id, "Import", fields);
        var errors = ErrorsIn(report);
        Assert.That(errors.Select(e => e.Line), Does.Contain(3).Or.Contain(4), "the refused rows by their line");
        Assert.That(errors.Select(e => e.Line), Has.None.EqualTo(2));
        Assert.That(await CountAsync(id), Is.EqualTo(0), "all or nothing");
    }

    [Test]
    public async Task A_good_file_is_imported_in_one_go_and_the_page_says_how_many()
    {
        var (client, _, id) = await OwnerAsync("good");
        var file = Encoding.UTF8.GetBytes("Date;Opération;Titre;Qté;Prix;Montant;Frais;Impôts\n02/01/2024;Versement;;;;10 000,00;;\n03/01/2024;Achat;ATW;10;480,50;;5;\n05/06/2024;Dividende;ATW;10;19;;0;1,9\n");
        var (html, fields) = await PreviewAsync(client, id, file);
        Assert.That(ErrorsIn(html), Is.Empty);
        var response = await PostFormAsync(client, $"/portfolios/{id}/import", fields, $"/portfolios/{id}/import?handler=Import");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var done = await (await client.GetAsync(response.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        Assert.That(done, Does.Contain("Imported 3 transactions."));
        var ledger = await LedgerAsync(id);
        var atw = ledger.Positions.Values.Single();
        Assert.That((atw.Quantity, atw.Cost, atw.DividendsNet), Is.EqualTo((10m, 4810m, 188.1m)));
        Assert.That(ledger.Cash, Is.EqualTo(10_000m - 4810m + 188.1m));
    }

    [Test]
    public async Task A_file_too_large_or_with_too_many_rows_is_refused_with_a_clear_error()
    {
        var (client, _, id) = await OwnerAsync("limits");
        var large = Encoding.UTF8.GetBytes("date,type,note\n" + string.Concat(Enumerable.Repeat("2024-01-02,Deposit," + new string('x', 200) + "\n", 50)));
        var html = await (await UploadAsync(client, id, large)).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("The file is too large: at most 8 KB."));
        var many = Encoding.UTF8.GetBytes("date,type,amount\n" + string.Concat(Enumerable.Repeat("2024-01-02,Deposit,10\n", 61)));
        html = await (await UploadAsync(client, id, many)).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("The file has more than 60 rows: split it."));
        Assert.That(html, Does.Not.Contain("data-testid=\"mapping-form\""));
        Assert.That(await CountAsync(id), Is.EqualTo(0));
    }

    [Test]
    public async Task A_changed_payload_is_refused_and_another_users_portfolio_is_404_on_every_handler_and_the_export()
    {
        var (owner, _, id) = await OwnerAsync("owner");
        var (html, fields) = await PreviewAsync(owner, id, Encoding.UTF8.GetBytes("date,type,amount\n2024-01-02,Deposit,100\n"));
        Assert.That(ErrorsIn(html), Is.Empty);
        var tampered = new Dictionary<string, string>(fields) { ["payload"] = fields["payload"][..^4] + "AAAA" };
        Assert.That(await PostStepAsync(owner, id, "Import", tampered), Does.Contain("The uploaded file has expired: choose it again."));
        Assert.That(await CountAsync(id), Is.EqualTo(0));

        var (intruder, _, own) = await OwnerAsync("intruder");
        Assert.That((await intruder.GetAsync($"/portfolios/{id}/import")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await intruder.GetAsync($"/portfolios/{id}/export?format=csv")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await intruder.GetAsync($"/portfolios/{id}/export?format=json")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var token = await TokenAsync(intruder, own);
        Assert.That((await UploadAsync(intruder, id, Encoding.UTF8.GetBytes("date,type\n"), token)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        foreach (var handler in new[] { "Preview", "Mapping", "Import" })
        {
            var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
            var response = await intruder.PostAsync($"/portfolios/{id}/import?handler={handler}", new FormUrlEncodedContent(form));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), handler);
        }
        // The owner's payload is bound to the owner and the portfolio: in the intruder's own portfolio it is refused.
        var stolen = await PostStepAsync(intruder, own, "Import", fields);
        Assert.That(stolen, Does.Contain("The uploaded file has expired: choose it again."));
        Assert.That(await CountAsync(id) + await CountAsync(own), Is.EqualTo(0));
        Assert.That((await Client().GetAsync($"/portfolios/{id}/export")).StatusCode, Is.Not.EqualTo(HttpStatusCode.OK), "anonymous");
    }

    [Test]
    public async Task Export_then_import_gives_the_same_holdings_cash_and_realized_gains()
    {
        var (client, userId, source) = await OwnerAsync("roundtrip");
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-400);
            TransactionInput T(int days, TransactionType type, string? ticker = null, decimal? quantity = null, decimal? price = null, decimal? amount = null,
                decimal? ratio = null, string? note = null, TimeOnly? time = null) =>
                new(type, day.AddDays(days), time, ticker, quantity, price, amount, null, null, ratio, note);
            var outcome = await scope.ServiceProvider.GetRequiredService<PortfolioTransactions>().AddManyAsync(userId, source,
            [
                T(0, TransactionType.Deposit, amount: 50_000, note: "=HYPERLINK(\"x\")"),
                T(1, TransactionType.Buy, "ATW", 20, 480.55m, time: new TimeOnly(10, 15)),
                T(2, TransactionType.Buy, "IAM", 100, 101.3m, note: "first, \"quoted\" note"),
                T(30, TransactionType.Bonus, "IAM", ratio: 0.1m),
                T(60, TransactionType.Dividend, "ATW", 20, 19.5m),
                T(90, TransactionType.Sell, "IAM", 55, 110.2m),
                T(120, TransactionType.Fee, amount: 120),
                T(150, TransactionType.Withdrawal, amount: 1_000),
            ], CancellationToken.None);
            Assert.That(outcome.Errors, Is.Empty, () => string.Join("; ", outcome.Errors.Select(e => $"{e.Row} {e.Error.Field} {e.Error.Message}")));
        }

        var csv = await client.GetAsync($"/portfolios/{source}/export?format=csv");
        Assert.That(csv.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(csv.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        Assert.That(csv.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
        Assert.That(csv.Content.Headers.ContentDisposition?.FileNameStar ?? csv.Content.Headers.ContentDisposition?.FileName, Does.Match(@"^""?portfolio-imported-\d{4}-\d{2}-\d{2}\.csv""?$"));
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        var text = Encoding.UTF8.GetString(bytes);
        Assert.That(text, Does.StartWith("date,time,type,ticker,quantity,price,amount,fees,taxes,ratio,note\n"));
        Assert.That(text, Does.Contain("'=HYPERLINK"), "a formula note is made inert");

        var json = await client.GetAsync($"/portfolios/{source}/export?format=json");
        Assert.That(json.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(json.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
        using var document = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.That(document.RootElement.GetProperty("portfolio").GetProperty("name").GetString(), Is.EqualTo("Imported"));
        var transactions = document.RootElement.GetProperty("transactions");
        Assert.That(transactions.GetArrayLength(), Is.EqualTo(8));
        Assert.That(transactions[0].GetProperty("type").GetString(), Is.EqualTo("Deposit"));
        Assert.That(transactions[0].GetProperty("note").GetString(), Is.EqualTo("=HYPERLINK(\"x\")"), "JSON keeps the note as it is");

        var target = await CreatePortfolioAsync(userId, "Copy");
        var (html, fields) = await PreviewAsync(client, target, bytes);
        Assert.That(ErrorsIn(html), Is.Empty);
        Assert.That(fields.Where(f => f.Key.StartsWith("map[", StringComparison.Ordinal)).Select(f => f.Value), Is.EqualTo(new[]
        {
            "Date", "Time", "Type", "Ticker", "Quantity", "Price", "Amount", "Fees", "Taxes", "Ratio", "Note",
        }), "every exported column is recognised");
        var response = await PostFormAsync(client, $"/portfolios/{target}/import", fields, $"/portfolios/{target}/import?handler=Import");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

        var (a, b) = (await LedgerAsync(source), await LedgerAsync(target));
        Assert.That(b.Positions.Values.Select(p => (p.InstrumentId, p.Quantity, p.Cost, p.Realized, p.DividendsNet, p.Fees)).OrderBy(p => p.InstrumentId),
            Is.EqualTo(a.Positions.Values.Select(p => (p.InstrumentId, p.Quantity, p.Cost, p.Realized, p.DividendsNet, p.Fees)).OrderBy(p => p.InstrumentId)));
        Assert.That((b.Cash, b.Deposits, b.Withdrawals, b.OtherFees), Is.EqualTo((a.Cash, a.Deposits, a.Withdrawals, a.OtherFees)));
        var notes = await App.WithDbAsync(db => db.PortfolioTransactions.Where(t => t.PortfolioId == target && t.Note != null).OrderBy(t => t.Date).Select(t => t.Note).ToListAsync());
        Assert.That(notes, Is.EqualTo(new[] { "=HYPERLINK(\"x\")", "first, \"quoted\" note" }));
    }

    [Test]
    public async Task Huge_numbers_a_tiny_quantity_and_a_zero_quantity_are_row_errors_not_a_crash()
    {
        var (client, _, id) = await OwnerAsync("overflow");
        var file = Encoding.UTF8.GetBytes(
            "date,type,ticker,quantity,price,amount,ratio\n"
            + "2024-01-03,Buy,ATW,99999999999999999999999999,99999999999999999999999999,,\n"
            + "2024-01-04,Dividend,ATW,0.0000000000000000001,,999999999999,\n"
            + "2024-01-05,Buy,ATW,0,,1000,\n"
            + "2024-01-06,Split,ATW,,,,79228162514264337593543950335:0.5\n");
        var (html, fields) = await PreviewAsync(client, id, file);
        Assert.That(ErrorsIn(html), Is.EqualTo(new[] { (2, "quantity"), (2, "price"), (3, "quantity"), (5, "ratio") }));
        Assert.That(html, Does.Contain("is too large a number").And.Contain("too large a price"));
        // A zero quantity is no division (line 4 is read; the transaction service refuses it at import); posting the import anyway reports the same rows.
        var import = await PostStepAsync(client, id, "Import", fields);
        Assert.That(ErrorsIn(import), Does.Contain((2, "quantity")));
        Assert.That(await CountAsync(id), Is.EqualTo(0));
    }

    [Test]
    public async Task A_mapping_corrected_by_hand_survives_uploading_the_fixed_file_with_the_same_headers()
    {
        var (client, _, id) = await OwnerAsync("remap");
        const string Header = "Date;Sens;Valeur;Zorglub;Cours\n";
        var (mapping, fields) = await MappingAsync(client, id, Encoding.UTF8.GetBytes(Header + "03/01/2024;Achat;ATW;10;480\n31/02/2024;Achat;IAM;5;100\n"), []);
        Assert.That(fields["map[3]"], Is.EqualTo("Ignore"), "an unknown header is not guessed");
        fields["map[3]"] = "Quantity";
        var preview = await PostStepAsync(client, id, "Preview", fields);
        Assert.That(ErrorsIn(preview), Is.EqualTo(new[] { (3, "Date") }));

        // The fixed file, uploaded from the preview's form (which posts the mapping in use): the corrected column stays.
        var again = UploadAgainFields(preview);
        Assert.That(again, Does.ContainKey("map[3]").And.ContainKey("columns[3]"));
        var (_, kept) = await MappingAsync(client, id, Encoding.UTF8.GetBytes(Header + "03/01/2024;Achat;ATW;10;480\n29/02/2024;Achat;IAM;5;100\n"), again);
        Assert.That(kept["map[3]"], Is.EqualTo("Quantity"));
        var fixedPreview = await PostStepAsync(client, id, "Preview", kept);
        Assert.That(ErrorsIn(fixedPreview), Is.Empty);
        Assert.That(fixedPreview, Does.Contain("data-testid=\"import-form\""));

        // Another file (other headers): its own guess, not the old mapping.
        var (_, other) = await MappingAsync(client, id, Encoding.UTF8.GetBytes("Date;Sens;Valeur;Zorglub;Frais\n03/01/2024;Achat;ATW;10;4\n"), again);
        Assert.That(other["map[3]"], Is.EqualTo("Ignore"));
        Assert.That(other["map[4]"], Is.EqualTo("Fees"));
    }

    /// <summary>Uploads <paramref name="file"/> with extra form fields: the mapping step's fields.</summary>
    private static async Task<(string Html, Dictionary<string, string> Fields)> MappingAsync(HttpClient client, int id, byte[] file, Dictionary<string, string> extra)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(file), "upload", "statement.csv" } };
        form.Add(new StringContent(await TokenAsync(client, id)), "__RequestVerificationToken");
        foreach (var (name, value) in extra)
        {
            form.Add(new StringContent(value), name);
        }
        var response = await client.PostAsync($"/portfolios/{id}/import?handler=Upload", form);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("data-testid=\"mapping-form\""), "the mapping step");
        return (html, StepFields(html));
    }

    /// <summary>The hidden fields of the preview's "upload the fixed file" form.</summary>
    private static Dictionary<string, string> UploadAgainFields(string html)
    {
        var start = html.IndexOf("data-testid=\"upload-again-form\"", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThan(0), "the upload-again form");
        var form = html[start..html.IndexOf("</form>", start, StringComparison.Ordinal)];
        return Hidden().Matches(form).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"((?:map|columns)\\[\\d+\\])\" value=\"([^\"]*)\"")]
    private static partial Regex Hidden();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("name=\"payload\" value=\"([^\"]*)\"")]
    private static partial Regex Payload();

    [GeneratedRegex("<select id=\"map-(\\d+)\"[^>]*>(.*?)</select>", RegexOptions.Singleline)]
    private static partial Regex Select();

    [GeneratedRegex("<option value=\"(\\w+)\" selected=\"selected\"")]
    private static partial Regex Selected();

    [GeneratedRegex("data-testid=\"error-line\">(\\d+)</td>\\s*<td[^>]*data-testid=\"error-column\"><bdi>([^<]*)</bdi>")]
    private static partial Regex ErrorRow();
}
