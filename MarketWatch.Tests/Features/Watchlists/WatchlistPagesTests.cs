using System.Net;
using System.Net.Http.Headers;
using MarketWatch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Watchlists;

/// <summary>The watchlist pages and streams over HTTP: ownership on every handler, CSV export and import, share links.</summary>
public sealed class WatchlistPagesTests : AppTest
{
    private async Task<(HttpClient Client, int ListId)> OwnerAsync(string prefix)
    {
        var client = Client();
        var email = NewEmail(prefix);
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var id = await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.Watchlist>()
            .Where(w => db.Users.Any(u => u.Id == w.UserId && u.Email == email)).Select(w => w.Id).SingleAsync());
        return (client, id);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string action, Dictionary<string, string>? fields = null) =>
        PostFormAsync(client, "/watchlists", fields ?? new Dictionary<string, string>(), action);

    [Test]
    public async Task Another_users_list_is_404_on_every_page_handler_and_stream()
    {
        var (owner, id) = await OwnerAsync("owner");
        Assert.That((await PostAsync(owner, $"/watchlists/{id}/add", new() { ["ticker"] = "ATW" })).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var (intruder, _) = await OwnerAsync("intruder");

        foreach (var path in new[] { $"/watchlists/{id}", $"/watchlists/{id}/candidates?q=iam", $"/watchlists/{id}/export", $"/stream/watchlists/{id}" })
        {
            Assert.That((await intruder.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
        }
        foreach (var (action, fields) in new (string, Dictionary<string, string>)[]
                 {
                     ($"/watchlists/{id}/add", new() { ["ticker"] = "IAM" }),
                     ($"/watchlists/{id}/update?ticker=ATW", new() { ["note"] = "mine now" }),
                     ($"/watchlists/{id}/remove?ticker=ATW", new()),
                     ($"/watchlists/{id}/move?ticker=ATW&direction=1", new()),
                     ($"/watchlists/{id}/reorder", new() { ["tickers"] = "ATW" }),
                     ($"/watchlists/{id}/sort?column=ticker", new()),
                     ($"/watchlists/{id}/rename", new() { ["name"] = "stolen" }),
                     ($"/watchlists/{id}/default", new()),
                     ($"/watchlists/{id}/share", new() { ["shared"] = "true" }),
                     ($"/watchlists/{id}/delete", new()),
                     ($"/watchlists/{id}/columns", new() { ["columns"] = "last" }),
                     ($"/watchlists/{id}/compact", new() { ["compact"] = "true" }),
                 })
        {
            Assert.That((await PostAsync(intruder, action, fields)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), action);
        }
        using var import = new MultipartFormDataContent { { new StringContent("ticker\nIAM\n"), "upload", "list.csv" } };
        import.Add(new StringContent(await TokenAsync(intruder)), "__RequestVerificationToken");
        Assert.That((await intruder.PostAsync($"/watchlists/{id}/import", import)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "import");

        var list = await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.Watchlist>().Include(w => w.Items).SingleAsync(w => w.Id == id));
        Assert.That((list.Name, list.ShareToken, list.Items.Count, list.Items[0].Note), Is.EqualTo(("My watchlist", (string?)null, 1, (string?)null)));
        Assert.That((list.Columns, list.Compact), Is.EqualTo(((string?)null, false)), "the intruder's columns and compact choice were not saved");
        Assert.That((await Client().GetAsync($"/stream/watchlists/{id}")).StatusCode, Is.Not.EqualTo(HttpStatusCode.OK), "anonymous");
    }

    [Test]
    public async Task The_instrument_page_loads_the_signed_in_users_own_lists_into_its_add_menu()
    {
        var (owner, ownerList) = await OwnerAsync("menu");
        var (other, otherList) = await OwnerAsync("other");
        await PostAsync(other, $"/watchlists/{otherList}/rename", new() { ["name"] = "Someone else's picks" });

        var page = await (await owner.GetAsync("/stocks/CIH")).Content.ReadAsStringAsync();
        var menuUrl = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "<div (?=[^>]*hx-trigger=\"load\")[^>]*hx-get=\"([^\"]+)\"").Groups[1].Value);
        Assert.That(menuUrl, Does.StartWith("/watchlists?").And.Contain("ticker=CIH"));

        var menu = await owner.GetAsync(menuUrl);
        var html = await menu.Content.ReadAsStringAsync();
        Assert.That(menu.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html, Does.Contain("data-testid=\"add-to-watchlist\"").And.Contain($"hx-post=\"/watchlists/{ownerList}/add\"")
            .And.Contain(">My watchlist</button>").And.Contain("&quot;ticker&quot;:&quot;CIH&quot;"));
        Assert.That(html, Does.Not.Contain($"/watchlists/{otherList}/").And.Not.Contain("Someone else"), "another user's lists never appear");
        Assert.That(html, Does.Not.Contain("<html"), "a fragment, not a page");

        // An unknown ticker, a 10,000-character value or none: not found; a NUL: refused before any handler (400). Never a server error.
        foreach (var (bad, expected) in new[] { ("ZZZZ", HttpStatusCode.NotFound), ("CI\0H", HttpStatusCode.BadRequest),
                     (new string('A', 10_000), HttpStatusCode.NotFound), ("", HttpStatusCode.NotFound) })
        {
            var refused = await owner.GetAsync("/watchlists?handler=AddMenu&ticker=" + Uri.EscapeDataString(bad));
            Assert.That(refused.StatusCode, Is.EqualTo(expected), $"ticker of length {bad.Length}");
        }

        var anonymous = Client();
        page = await (await anonymous.GetAsync("/stocks/CIH")).Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain("Sign in to add it to a watchlist").And.Not.Contain("handler=AddMenu"));
        var signIn = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "href=\"([^\"]+)\">Sign in to add it to a watchlist").Groups[1].Value);
        Assert.That(Uri.UnescapeDataString(signIn), Is.EqualTo("/account/login?returnUrl=/stocks/CIH"), "signing in comes back to this stock");
        Assert.That((await anonymous.GetAsync(menuUrl)).Headers.Location?.ToString(), Does.Contain("/account/login"));
    }

    [Test]
    public async Task An_unknown_sort_column_is_refused_and_changes_nothing()
    {
        var (client, id) = await OwnerAsync("sort");
        Assert.That((await PostAsync(client, $"/watchlists/{id}/sort?column=ticker")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That((await PostAsync(client, $"/watchlists/{id}/sort?column=drop_table")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var list = await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.Watchlist>().SingleAsync(w => w.Id == id));
        Assert.That(list.SortColumn, Is.EqualTo("ticker"));
    }

    private static async Task<string> TokenAsync(HttpClient client)
    {
        var html = await (await client.GetAsync("/watchlists")).Content.ReadAsStringAsync();
        return System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
    }

    [Test]
    public async Task Export_then_import_keeps_tickers_notes_and_targets_and_a_bad_file_changes_nothing()
    {
        var (client, id) = await OwnerAsync("csv");
        await PostAsync(client, $"/watchlists/{id}/add", new() { ["ticker"] = "IAM" });
        await PostAsync(client, $"/watchlists/{id}/add", new() { ["ticker"] = "ATW" });
        await PostAsync(client, $"/watchlists/{id}/update?ticker=ATW", new() { ["note"] = "buy, below 700 \"maybe\"", ["targetPrice"] = "700.5" });
        var export = await client.GetAsync($"/watchlists/{id}/export");
        Assert.That(export.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        var csv = await export.Content.ReadAsStringAsync();
        // The three columns the import reads come first, then what the table shows.
        var lines = csv.Split('\n');
        Assert.That(lines[0], Is.EqualTo("ticker,note,target_price,name,last,change_percent,added_at"));
        Assert.That(lines[1], Does.StartWith("IAM,,,"));
        Assert.That(lines[2], Does.StartWith("ATW,\"buy, below 700 \"\"maybe\"\"\",700.5,Attijariwafa Bank,"));
        Assert.That(lines[2], Does.Match(@",\d{4}-\d{2}-\d{2}$"), "the date added");

        // Into a new list: the same rows come back.
        Assert.That((await PostFormAsync(client, "/watchlists", new Dictionary<string, string> { ["Name"] = "Copy" })).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var copyId = await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.Watchlist>().Where(w => w.Name == "Copy").Select(w => w.Id).SingleAsync());
        var html = await ImportAsync(client, copyId, csv);
        Assert.That(html, Does.Contain("Imported: 2 added, 0 updated."));
        var items = await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.WatchlistItem>().Where(i => i.WatchlistId == copyId)
            .OrderBy(i => i.Position).Select(i => new { i.Instrument.Ticker, i.Note, i.TargetPrice }).ToListAsync());
        Assert.That(items.Select(i => (i.Ticker, i.Note, i.TargetPrice)),
            Is.EqualTo(new[] { ("IAM", (string?)null, (decimal?)null), ("ATW", "buy, below 700 \"maybe\"", 700.5m) }));

        html = await ImportAsync(client, copyId, "ticker,note,target_price\nBCP,,\nXYZ,,\nATW,,abc\n");
        Assert.That(html, Does.Contain("Nothing was imported: 2 row(s) with errors out of 3."));
        Assert.That(html, Does.Contain("Unknown ticker &#x27;XYZ&#x27;.").And.Contain("The target price &#x27;abc&#x27; is not a number."));
        Assert.That(await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.WatchlistItem>().CountAsync(i => i.WatchlistId == copyId)), Is.EqualTo(2));

        // A file in the old three-column format still imports.
        html = await ImportAsync(client, copyId, "ticker,note,target_price\nBCP,old format,320\n");
        Assert.That(html, Does.Contain("Imported: 1 added, 0 updated."));
        Assert.That(await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.WatchlistItem>().CountAsync(i => i.WatchlistId == copyId)), Is.EqualTo(3));
    }

    [Test]
    public async Task Columns_are_saved_in_the_chosen_order_and_an_unknown_column_is_a_field_error()
    {
        var (client, id) = await OwnerAsync("cols");
        var order = new[] { "last", "change", "changePercent", "volume", "range", "spark", "yearRange", "target" };
        async Task<HttpResponseMessage> SaveAsync(string[] ticked, string? move = null)
        {
            var fields = order.Select(o => new KeyValuePair<string, string>("order", o)).Concat(ticked.Select(t => new KeyValuePair<string, string>("columns", t))).ToList();
            if (move is not null) fields.Add(new("move", move));
            fields.Add(new("__RequestVerificationToken", await TokenAsync(client)));
            return await client.PostAsync($"/watchlists/{id}/columns", new FormUrlEncodedContent(fields));
        }
        Assert.That((await SaveAsync(["changePercent", "last", "target"], move: "changePercent:-1")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var stored = await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.Watchlist>().Where(w => w.Id == id).Select(w => w.Columns).SingleAsync());
        Assert.That(stored, Is.EqualTo("last,changePercent,target"), "ticked columns, change % moved above change");
        var bad = await SaveAsync(["last", "secret"]);
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("Unknown column &#x27;secret&#x27;."));
        Assert.That(await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.Watchlist>().Where(w => w.Id == id).Select(w => w.Columns).SingleAsync()), Is.EqualTo(stored), "nothing changed");
        // No column at all, or a 10,000-character name: a field error too, never a server error, nothing saved.
        var none = await SaveAsync([]);
        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await none.Content.ReadAsStringAsync(), Does.Contain("Choose at least one column."));
        Assert.That((await SaveAsync(["last", new string('x', 10_000)])).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.Watchlist>().Where(w => w.Id == id).Select(w => w.Columns).SingleAsync()), Is.EqualTo(stored), "still nothing changed");
    }

    [Test]
    public async Task Import_reads_commas_doubled_quotes_and_line_breaks_in_quotes_and_reports_a_bad_row_by_its_line()
    {
        var (client, id) = await OwnerAsync("quoted");
        var html = await ImportAsync(client, id, "ticker,note,target_price\nATW,\"Buy, \"\"below\"\" 700\",700\nIAM,\"two\nlines\",\n");
        Assert.That(html, Does.Contain("Imported: 2 added, 0 updated."));
        var items = await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.WatchlistItem>().Where(i => i.WatchlistId == id)
            .OrderBy(i => i.Position).Select(i => new { i.Instrument.Ticker, i.Note, i.TargetPrice }).ToListAsync());
        Assert.That(items.Select(i => (i.Ticker, i.Note, i.TargetPrice)),
            Is.EqualTo(new[] { ("ATW", (string?)"Buy, \"below\" 700", (decimal?)700m), ("IAM", "two\nlines", null) }));

        // The quoted line break puts NOPE on line 4 of the file, which is where the report sends the user.
        html = await ImportAsync(client, id, "ticker,note,target_price\nBCP,\"a, \"\"quoted\"\"\nnote\",\nNOPE,\"x, y\",\n");
        Assert.That(html, Does.Contain("Nothing was imported: 1 row(s) with errors out of 2."));
        Assert.That(html, Does.Match(@"<td class=""num"">4</td><td>Unknown ticker &#x27;NOPE&#x27;.</td>"));
        Assert.That(await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.WatchlistItem>().CountAsync(i => i.WatchlistId == id)), Is.EqualTo(2));
    }

    [Test]
    public async Task A_file_of_5000_bad_rows_reports_the_first_100_errors_and_counts_the_rest()
    {
        var (client, id) = await OwnerAsync("bad-rows");
        var csv = "ticker,note,target_price\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"NOPE{i},a note that makes the row longer,abc\n"));
        var html = await ImportAsync(client, id, csv);
        Assert.That(html, Does.Contain("Nothing was imported: 5000 row(s) with errors out of 5000."));
        Assert.That(System.Text.RegularExpressions.Regex.Count(html, "Unknown ticker &#x27;NOPE"), Is.EqualTo(100), "the first 100 errors");
        Assert.That(html, Does.Contain("Unknown ticker &#x27;NOPE99&#x27;.").And.Not.Contain("NOPE100&#x27;"));
        Assert.That(System.Net.WebUtility.HtmlDecode(html), Does.Contain("… and 4900 more errors."));
        Assert.That(html.Length, Is.LessThan(120_000), "the page stays small (it was over 1 MB)");
    }

    [Test]
    public async Task A_file_over_the_size_or_row_limit_is_refused_with_a_field_error_and_nothing_imported()
    {
        var (client, id) = await OwnerAsync("big-file");
        // 1.2 MB of valid rows: over the 1 MB default.
        var big = "ticker,note,target_price\n" + string.Concat(Enumerable.Range(0, 130_000).Select(_ => "ATW,,700\n"));
        Assert.That(big.Length, Is.GreaterThan(1024 * 1024));
        var html = await ImportAsync(client, id, big);
        Assert.That(html, Does.Contain("The file is too large: at most 1024 KB."));
        Assert.That(html, Does.Not.Contain("data-testid=\"import-report\""));

        // Small in bytes but over the 10,000-row default.
        var rows = "ticker\n" + string.Concat(Enumerable.Range(0, 10_001).Select(_ => "ATW\n"));
        html = await ImportAsync(client, id, rows);
        Assert.That(html, Does.Contain("The file has more than 10000 rows: split it."));
        Assert.That(await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.WatchlistItem>().CountAsync(i => i.WatchlistId == id)), Is.Zero);
    }

    private async Task<string> ImportAsync(HttpClient client, int id, string csv)
    {
        var file = new StringContent(csv);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var form = new MultipartFormDataContent { { file, "upload", "list.csv" } };
        form.Add(new StringContent(await TokenAsync(client)), "__RequestVerificationToken");
        var response = await client.PostAsync($"/watchlists/{id}/import", form);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    [Test]
    public async Task A_share_link_shows_prices_not_the_owners_notes_and_dies_when_revoked()
    {
        var (client, id) = await OwnerAsync("share");
        await PostAsync(client, $"/watchlists/{id}/add", new() { ["ticker"] = "ATW" });
        await PostAsync(client, $"/watchlists/{id}/update?ticker=ATW", new() { ["note"] = "my secret plan", ["targetPrice"] = "900" });
        await PostAsync(client, $"/watchlists/{id}/share", new() { ["shared"] = "true" });
        var token = await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Watchlists.Watchlist>().Where(w => w.Id == id).Select(w => w.ShareToken).SingleAsync());
        Assert.That(token, Has.Length.GreaterThanOrEqualTo(43), "256 random bits");

        // The link the owner copies is on the app's own address, whatever Host header the request came with.
        using (var forged = new HttpRequestMessage(HttpMethod.Get, $"/watchlists/{id}"))
        {
            forged.Headers.Host = "evil.example";
            var owner = await (await client.SendAsync(forged)).Content.ReadAsStringAsync();
            Assert.That(owner, Does.Contain($"/w/{token}").And.Not.Contain("evil.example"));
        }

        var anonymous = Client();
        var page = await anonymous.GetAsync($"/w/{token}");
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html, Does.Contain("ATW").And.Not.Contain("my secret plan").And.Not.Contain("900.00").And.Not.Contain("id=\"share-url\"").And.Not.Contain("Revoke the link"));
        Assert.That(html, Does.Contain($"sse-connect=\"/stream/shared/{token}\""));
        using (var stream = new HttpRequestMessage(HttpMethod.Get, $"/stream/shared/{token}"))
        {
            var response = await anonymous.SendAsync(stream, HttpCompletionOption.ResponseHeadersRead);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        }

        await PostAsync(client, $"/watchlists/{id}/share", new() { ["shared"] = "false" });
        Assert.That((await anonymous.GetAsync($"/w/{token}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await anonymous.GetAsync($"/stream/shared/{token}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await anonymous.GetAsync("/w/not-a-token")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
