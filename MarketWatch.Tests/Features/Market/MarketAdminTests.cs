using System.Net;
using System.Net.Http.Headers;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Import;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Market;

/// <summary>The admin side of market data: instruments, calendar, CSV import, data quality, feed status; and their command-line verbs.</summary>
public sealed class MarketAdminTests : AppTest
{
    private HttpClient _admin = null!;

    [OneTimeSetUp]
    public async Task SignInAdminAsync()
    {
        _admin = Client();
        var email = NewEmail("admin");
        await RegisterAsync(_admin, email);
        await SignInAsync(_admin, email);
    }

    [Test]
    public async Task Market_admin_pages_are_for_admins_only()
    {
        var member = Client();
        var email = NewEmail("member");
        await RegisterAsync(member, email);
        await SignInAsync(member, email);
        foreach (var path in new[] { "/admin/instruments", "/admin/calendar", "/admin/feed", "/admin/import", "/admin/data-quality" })
        {
            Assert.That((await _admin.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That((await member.GetAsync(path)).Headers.Location?.ToString(), Does.Contain("access-denied"), path);
            Assert.That((await Client().GetAsync(path)).Headers.Location?.ToString(), Does.Contain("/account/login"), path);
        }
    }

    [Test]
    public async Task An_admin_adds_edits_and_deactivates_an_instrument()
    {
        var bad = await PostFormAsync(_admin, "/admin/instruments/edit", new Dictionary<string, string>
        {
            ["Input.Ticker"] = "ATW", ["Input.Name"] = "", ["Input.Sector"] = "Financials", ["Input.Isin"] = "XX12", ["Input.ReferencePrice"] = "-1",
        });
        var html = await bad.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("This ticker already exists.").And.Contain("Enter a name.")
            .And.Contain("An ISIN is 12 characters").And.Contain("The reference price must be between"));

        var created = await PostFormAsync(_admin, "/admin/instruments/edit", new Dictionary<string, string>
        {
            ["Input.Ticker"] = "new1", ["Input.Name"] = "Nouvelle Société", ["Input.Sector"] = "Industrials",
            ["Input.Isin"] = "MA0000099999", ["Input.SharesOutstanding"] = "1000000", ["Input.ReferencePrice"] = "123.45", ["Input.IsActive"] = "true",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var instrument = await App.WithDbAsync(db => db.Instruments.SingleAsync(i => i.Ticker == "NEW1"));
        Assert.That((instrument.Name, instrument.ReferencePrice, instrument.IsActive), Is.EqualTo(("Nouvelle Société", 123.45m, true)));
        Assert.That((await Client().GetAsync("/api/market/search?q=nouvelle societe")).Content.ReadAsStringAsync().Result, Does.Contain("NEW1"));

        // French admin, decimal submitted by the number input as "99.5".
        var french = await PostFormAsync(_admin, "/admin/instruments/edit/NEW1", new Dictionary<string, string>
        {
            ["Input.Name"] = "Nouvelle Société", ["Input.Sector"] = "Industrials", ["Input.ReferencePrice"] = "99.5", ["Input.IsActive"] = "false",
        });
        Assert.That(french.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        instrument = await App.WithDbAsync(db => db.Instruments.SingleAsync(i => i.Ticker == "NEW1"));
        Assert.That((instrument.ReferencePrice, instrument.IsActive), Is.EqualTo((99.5m, false)), "the unchecked box deactivates");
        var search = await (await Client().GetAsync("/api/market/search?q=nouvelle")).Content.ReadAsStringAsync();
        Assert.That(search, Does.Not.Contain("NEW1"), "inactive instruments leave search");
    }

    [Test]
    public async Task The_calendar_list_is_edited_and_the_market_status_follows()
    {
        var add = await PostFormAsync(_admin, "/admin/calendar", new Dictionary<string, string>
        {
            ["NewHoliday.Date"] = "2027-12-01", ["NewHoliday.Name"] = "Test holiday",
        }, "/admin/calendar/AddHoliday");
        Assert.That(add.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await App.WithDbAsync(db => db.Holidays.AnyAsync(h => h.Date == new DateOnly(2027, 12, 1))), Is.True);
        var calendar = App.Services.GetService(typeof(MarketWatch.Web.Features.Market.Calendar.CalendarCache)) as MarketWatch.Web.Features.Market.Calendar.CalendarCache;
        Assert.That(calendar!.Current.IsTradingDay(new DateOnly(2027, 12, 1)), Is.False);

        var duplicate = await PostFormAsync(_admin, "/admin/calendar", new Dictionary<string, string>
        {
            ["NewHoliday.Date"] = "2027-12-01", ["NewHoliday.Name"] = "Again",
        }, "/admin/calendar/AddHoliday");
        Assert.That(await duplicate.Content.ReadAsStringAsync(), Does.Contain("This date is already a holiday."));

        var badSession = await PostFormAsync(_admin, "/admin/calendar", new Dictionary<string, string>
        {
            ["NewSession.Name"] = "Ramadan", ["NewSession.From"] = "2028-02-01", ["NewSession.To"] = "2028-01-01",
            ["NewSession.Start"] = "09:45", ["NewSession.End"] = "13:20",
        }, "/admin/calendar/AddSession");
        Assert.That(await badSession.Content.ReadAsStringAsync(), Does.Contain("The end date is before the start date."));

        await PostFormAsync(_admin, "/admin/calendar", new Dictionary<string, string>(), "/admin/calendar/DeleteHoliday?date=2027-12-01");
        Assert.That(calendar.Current.IsTradingDay(new DateOnly(2027, 12, 1)), Is.True);
    }

    private static string CsvPath(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bars-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, content);
        return path;
    }

    [Test]
    public async Task A_csv_with_one_bad_row_imports_nothing_and_reports_every_bad_line()
    {
        var before = await App.WithDbAsync(db => db.DailyBars.CountAsync(b => b.Source == "CSV"));
        const string csv = """
            ticker,date,open,high,low,close,volume
            ATW,2020-01-02,500,510,495,505,1000
            NOPE,2020-01-02,1,1,1,1,1
            IAM,2020-13-45,1,1,1,1,1
            BCP,2020-01-02,300,290,295,299,10
            ATW,2020-01-02,500,510,495,505,1000
            """;
        using var content = new MultipartFormDataContent();
        var file = new StringContent(csv);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, "Upload", "bars.csv");
        var page = await _admin.GetAsync("/admin/import");
        var token = System.Text.RegularExpressions.Regex.Match(await page.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        content.Add(new StringContent(token), "__RequestVerificationToken");
        var response = await _admin.PostAsync("/admin/import", content);
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("Nothing was imported: 4 row(s) with errors out of 5."));
        Assert.That(html, Does.Contain("Unknown ticker &#x27;NOPE&#x27;.").And.Contain("The date &#x27;2020-13-45&#x27; is not YYYY-MM-DD.")
            .And.Contain("High and low must enclose open and close.").And.Contain("ATW 2020-01-02 appears twice in the file."));
        Assert.That(await App.WithDbAsync(db => db.DailyBars.CountAsync(b => b.Source == "CSV")), Is.EqualTo(before));
    }

    private async Task<string> UploadAsync(string csv)
    {
        using var content = new MultipartFormDataContent();
        var file = new StringContent(csv);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, "Upload", "bars.csv");
        var page = await _admin.GetAsync("/admin/import");
        var token = System.Text.RegularExpressions.Regex.Match(await page.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        content.Add(new StringContent(token), "__RequestVerificationToken");
        var response = await _admin.PostAsync("/admin/import", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    [Test]
    public async Task A_bar_file_of_5000_bad_rows_reports_the_first_100_errors_and_counts_the_rest()
    {
        var csv = "ticker,date,open,high,low,close,volume\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"NOPE{i},2020-13-45,x,y,z,w,-1\n"));
        var html = await UploadAsync(csv);
        Assert.That(html, Does.Contain("Nothing was imported: 5000 row(s) with errors out of 5000."));
        Assert.That(System.Text.RegularExpressions.Regex.Count(html, "Unknown ticker &#x27;NOPE"), Is.EqualTo(100), "the first 100 errors");
        Assert.That(System.Net.WebUtility.HtmlDecode(html), Does.Contain("… and 4900 more errors."));
        Assert.That(html.Length, Is.LessThan(150_000), "the page stays small (it was megabytes)");
    }

    [Test]
    public async Task An_oversized_bar_file_is_refused_with_a_field_error_and_nothing_imported()
    {
        using var scope = App.Services.CreateScope();
        var before = await App.WithDbAsync(db => db.DailyBars.CountAsync(b => b.Source == "CSV"));
        var limits = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<MarketWatch.Web.Infrastructure.Csv.CsvLimits>>().Get(BarImport.Limits);
        var row = "ATW,2020-01-02,500,510,495,505,1000\n";
        var csv = "ticker,date,open,high,low,close,volume\n" + string.Concat(Enumerable.Repeat(row, (int)(limits.MaxBytes / row.Length) + 10));
        var html = await UploadAsync(csv);
        Assert.That(html, Does.Contain($"The file is too large: at most {limits.MaxBytes / 1024} KB."));
        Assert.That(html, Does.Not.Contain("data-testid=\"import-report\""));
        Assert.That(await App.WithDbAsync(db => db.DailyBars.CountAsync(b => b.Source == "CSV")), Is.EqualTo(before));
    }

    [Test]
    public async Task A_vendor_file_with_commas_and_line_breaks_in_quoted_fields_imports_and_a_bad_row_is_reported_by_its_line()
    {
        async Task<ImportReport> ImportAsync(string csv)
        {
            using var scope = App.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<BarImport>().ImportAsync(new StringReader(csv), CancellationToken.None);
        }
        var report = await ImportAsync(""""
            ticker,name,date,open,high,low,close,volume
            ATW,"Attijariwafa Bank, ""ATW""",2018-01-02,400,410,395,405,1000
            IAM,"Maroc Telecom
            (Itissalat Al-Maghrib)",2018-01-02,100,101,99,100.5,2000
            """");
        Assert.That((report.Succeeded, report.Rows, report.Imported), Is.EqualTo((true, 2, 2)), string.Join("; ", report.Errors.Select(e => e.Line)));
        var bars = await App.WithDbAsync(db => db.DailyBars.Where(b => b.Date == new DateOnly(2018, 1, 2) && b.Source == "CSV")
            .Join(db.Instruments, b => b.InstrumentId, i => i.Id, (b, i) => new { i.Ticker, b.Close, b.Volume }).OrderBy(b => b.Ticker).ToListAsync());
        Assert.That(bars.Select(b => (b.Ticker, b.Close, b.Volume)), Is.EqualTo(new[] { ("ATW", 405m, 1000L), ("IAM", 100.5m, 2000L) }));

        report = await ImportAsync(""""
            ticker,name,date,open,high,low,close,volume
            ATW,"Attijariwafa Bank, SA",2018-01-03,400,410,395,405,1000
            IAM,"Maroc Telecom
            (IAM)",2018-01-03,100,101,99,100,2000
            BCP,"Banque Populaire, ""BCP""",2018-01-03,300,301,299,300,-5
            """");
        Assert.That(report.Errors.Select(e => (e.Line, e.Problems.Single().Key)),
            Is.EqualTo(new[] { (5, "The volume '{0}' is not a whole number of 0 or more.") }), "the quoted line break puts BCP on line 5");
        Assert.That(report.Imported, Is.Zero);
        Assert.That(await App.WithDbAsync(db => db.DailyBars.CountAsync(b => b.Date == new DateOnly(2018, 1, 3) && b.Source == "CSV")), Is.Zero);
    }

    [Test]
    public async Task The_import_command_loads_a_good_file_and_replaces_bars_of_the_same_day()
    {
        var path = CsvPath("""
            ticker,date,open,high,low,close,volume,adjusted_close
            ATW,2019-01-02,400,410,395,405,1000,401.5
            ATW,2019-01-03,405,406,380,390,2000,
            """);
        var (code, output) = await RunVerbAsync("import-bars", path);
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("Imported 2 bars from 2 rows."));
        var bar = await App.WithDbAsync(db => db.DailyBars.SingleAsync(b => b.Date == new DateOnly(2019, 1, 2) && b.Source == "CSV"));
        Assert.That((bar.Close, bar.AdjustedClose, bar.Volume), Is.EqualTo((405m, 401.5m, 1000L)));

        (code, output) = await RunVerbAsync("import-bars", CsvPath("ticker,date,open,high,low,close\nATW,2019-01-02,1,1,1,1\n"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("Missing columns: volume."));
    }

    [Test]
    public async Task Data_quality_scores_instruments_and_lists_what_is_missing()
    {
        var atwId = await App.WithDbAsync(db => db.Instruments.Where(i => i.Ticker == "ATW").Select(i => i.Id).SingleAsync());
        var calendar = new MarketWatch.Web.Features.Market.Calendar.ExchangeCalendar(
            MarketWatch.Web.Features.Market.Calendar.CalendarSeed.IslamicHolidays, MarketWatch.Web.Features.Market.Calendar.CalendarSeed.Ramadan);
        var today = MarketWatch.Web.Features.Market.Calendar.ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
        var gap = calendar.PreviousTradingDay(calendar.PreviousTradingDay(today));
        await App.WithDbAsync(db => db.DailyBars.Where(b => b.InstrumentId == atwId && b.Date == gap).ExecuteDeleteAsync());

        var (code, output) = await RunVerbAsync("data-quality", "--tickers", "IAM,ATW,BCP", "--min", "95");
        TestContext.Out.WriteLine(output);
        // No quotes stored yet in this database: quote completeness is 0, so the average is far below 95.
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("missing sessions (1): " + gap.ToString("yyyy-MM-dd")));
        Assert.That(output, Does.Contain("missing reference: Shares").Or.Contain("ATW"));

        (code, output) = await RunVerbAsync("data-quality", "--tickers", "IAM,ATW,BCP", "--min", "50");
        Assert.That(code, Is.EqualTo(0), output);
        (code, output) = await RunVerbAsync("data-quality", "--tickers", "NOPE");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Does.Contain("unknown ticker(s): NOPE"));

        var html = await (await _admin.GetAsync("/admin/data-quality?tickers=ATW&sessions=60")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("data-testid=\"quality-average\"").And.Contain("Missing sessions (1)"));
        html = await (await _admin.GetAsync("/admin/data-quality?tickers=NOPE")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("Unknown ticker(s): NOPE."));
    }

    [Test]
    public async Task The_feed_page_shows_the_provider_and_recent_events()
    {
        await App.WithDbAsync(async db =>
        {
            db.FeedEvents.Add(new FeedEvent { Time = DateTimeOffset.UtcNow, Provider = "CasablancaBourse", Kind = FeedEventKind.Error, Message = "HTTP 503 from the dashboard ticker" });
            return await db.SaveChangesAsync();
        });
        var html = await (await _admin.GetAsync("/admin/feed")).Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("Simulated").And.Contain("HTTP 503 from the dashboard ticker"));
    }

    private Task<(int Code, string Output)> RunVerbAsync(params string[] args)
    {
        var configuration = (Microsoft.Extensions.Configuration.IConfiguration)App.Services.GetService(typeof(Microsoft.Extensions.Configuration.IConfiguration))!;
        return AppCommand.RunAsync(configuration["ConnectionStrings:Default"]!, args);
    }
}
