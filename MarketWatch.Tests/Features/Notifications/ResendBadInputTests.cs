using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Notifications;

/// <summary>
/// Bad input on issue 11's endpoints and forms (resend a delivery: API, page, admin; confirm or discard a held-back tick):
/// NUL and control characters, 10,000-character values, malformed ids and filters, another user's ids. Each gets a clear
/// 4xx (problem+json on /api, a page with field errors on forms), never a 5xx, and no delivery or tick changes.
/// On Kestrel, as in production: it is what refuses bad header values and over-long request lines.
/// </summary>
public sealed class ResendBadInputTests : AppTest
{
    protected override bool UseKestrel => true;

    /// <summary>A client of the Kestrel server, keeping cookies, not following redirects (as <see cref="AppTest.Client"/> is in memory).</summary>
    private HttpClient Http(bool followRedirects = false) =>
        new(new HttpClientHandler { AllowAutoRedirect = followRedirects, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = App.ServerAddress };

    private static readonly string Huge = new('7', 10_000);

    /// <summary>Ids that are not a delivery's: words, NUL, control characters, overflowing numbers, nothing at all.</summary>
    private static readonly string[] BadIds = ["abc", "\0", "1\0", "1\r\n2", "99999999999999999999999", "1e5", "0x10", " ", "-1", "0", long.MaxValue.ToString()];

    private Task<long> SeedAsync(string userId, DeliveryStatus status, Channel channel = Channel.Webhook, DateTimeOffset? completedAt = null) =>
        ResendTests.SeedDeliveryAsync(App, userId, channel, status, completedAt);

    /// <summary>Every delivery row as it is (the fixture's own database): nothing may change under bad input.</summary>
    private Task<List<string>> DeliveriesAsync() => App.WithDbAsync(db => db.Set<Delivery>().AsNoTracking().OrderBy(d => d.Id)
        .Select(d => d.Id + " " + d.Status + " " + d.Attempts + " " + d.DetailKey + " " + d.CompletedAt + " " + d.NextAttemptAt).ToListAsync());

    private Task<List<string>> TicksAsync() => App.WithDbAsync(db => db.QuarantinedTicks.AsNoTracking().OrderBy(q => q.Id)
        .Select(q => q.Id + " " + q.Status + " " + q.ResolvedAt + " " + q.ResolvedBy).ToListAsync());

    private async Task<HttpClient> SignedInAsync(User user)
    {
        var web = Http();
        await SignInAsync(web, user.Email);
        return web;
    }

    private static string Q(string value) => Uri.EscapeDataString(value);

    private static async Task<string> TokenAsync(HttpClient web, string page)
    {
        var html = await web.GetStringAsync(page);
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
        Assert.That(token.Success, Is.True, $"no antiforgery token on {page}");
        return WebUtility.HtmlDecode(token.Groups[1].Value);
    }

    /// <summary>A form post as the browser sends it, with a token from <paramref name="page"/>.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient web, string page, string action, IEnumerable<KeyValuePair<string, string>>? fields = null,
        bool htmx = false)
    {
        var form = new List<KeyValuePair<string, string>>(fields ?? []) { new("__RequestVerificationToken", await TokenAsync(web, page)) };
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(form) };
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }
        return await web.SendAsync(request);
    }

    /// <summary>
    /// A NUL is refused before any handler runs: in the path by Kestrel, in a form by the form reader, in the query by
    /// the app (.NET parses "5\0" as 5, so it would otherwise reach a row); other bad values get <paramref name="otherwise"/>.
    /// </summary>
    private static HttpStatusCode Refused(string value, HttpStatusCode otherwise) => value.Contains('\0') ? HttpStatusCode.BadRequest : otherwise;

    private static void AssertClientError(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            Assert.Fail($"{what}: expected {(int)expected}, got {(int)response.StatusCode} {response.Headers.Location} {body[..Math.Min(400, body.Length)]}");
        }
    }

    [Test]
    public async Task The_api_refuses_malformed_huge_and_another_users_ids_with_problem_json_and_changes_nothing()
    {
        var owner = await UserAsync(this, App, Http, "badinput");
        var stranger = await UserAsync(this, App, Http, "badinput");
        var theirs = await SeedAsync(owner.Id, DeliveryStatus.Failed);
        var mine = await SeedAsync(stranger.Id, DeliveryStatus.Failed);
        var before = await DeliveriesAsync();

        // "<id>\0" parses as the id in .NET (trailing NULs are allowed): it must not reach the user's own row either.
        foreach (var id in BadIds.Append(theirs.ToString()).Append(mine + "\0").Append(mine + "\0\0"))
        {
            var response = await stranger.Api.PostAsync($"/api/notifications/deliveries/{Q(id)}/resend", null);
            AssertClientError(response, Refused(id, HttpStatusCode.NotFound), $"id '{id}'");
            if (id.Contains('\0'))
            {
                continue;
            }
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"id '{id}'");
            Assert.That((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32(), Is.EqualTo(404));
        }

        // Ten thousand digits do not fit a request line: Kestrel answers 414 before any code runs.
        AssertClientError(await stranger.Api.PostAsync($"/api/notifications/deliveries/{Huge}/resend", null), HttpStatusCode.RequestUriTooLong, "10,000 digits");

        // The endpoint reads no body: malformed JSON, NUL and 10,000 characters in one change nothing about another user's row.
        foreach (var body in new[] { "{", "{\"id\": \"\0\"}", "[" + Huge + "]", Huge })
        {
            var response = await stranger.Api.PostAsync($"/api/notifications/deliveries/{theirs}/resend", new StringContent(body, Encoding.UTF8, "application/json"));
            AssertClientError(response, HttpStatusCode.NotFound, $"body of length {body.Length}");
        }
        Assert.That(await DeliveriesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task The_page_resend_refuses_bad_and_foreign_ids_and_a_request_without_its_token()
    {
        var owner = await UserAsync(this, App, Http, "badinput");
        var stranger = await UserAsync(this, App, Http, "badinput");
        var theirs = await SeedAsync(owner.Id, DeliveryStatus.Failed);
        var mine = await SeedAsync(stranger.Id, DeliveryStatus.Failed);
        var web = await SignedInAsync(stranger);
        const string page = "/account/manage/notifications";
        var before = await DeliveriesAsync();

        foreach (var id in BadIds.Append(theirs.ToString()).Append(mine + "\0"))
        {
            foreach (var htmx in new[] { false, true })
            {
                var response = await PostAsync(web, page, $"/notifications?handler=Resend&id={Q(id)}", [new("at", "1"), new("returnUrl", page)], htmx);
                AssertClientError(response, Refused(id, HttpStatusCode.NotFound), $"id '{id}' (htmx {htmx})");
            }
            AssertClientError(await web.GetAsync($"/notifications?handler=Delivery&id={Q(id)}&at=1"), Refused(id, HttpStatusCode.NotFound), $"row of id '{id}'");
        }
        // In the form instead of the query: 10,000 digits, NULs.
        foreach (var id in new[] { Huge, "\0" + mine, mine + "\0", mine + "\u0001" })
        {
            AssertClientError(await PostAsync(web, page, "/notifications?handler=Resend", [new("id", id)]), Refused(id, HttpStatusCode.NotFound), $"form id of length {id.Length}");
        }

        // Without the antiforgery token the user's own failed row is not touched.
        var forged = await web.PostAsync($"/notifications?handler=Resend&id={mine}", new FormUrlEncodedContent([new("returnUrl", page)]));
        AssertClientError(forged, HttpStatusCode.BadRequest, "no token");

        Assert.That(await DeliveriesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task The_page_resend_goes_back_only_to_a_clean_local_address_and_shows_the_row_whatever_at_is()
    {
        var user = await UserAsync(this, App, Http, "badinput");
        // A row that was sent: a resend changes nothing, so only the way back is under test.
        var sent = await SeedAsync(user.Id, DeliveryStatus.Sent);
        var web = await SignedInAsync(user);
        const string page = "/account/manage/notifications";
        var before = await DeliveriesAsync();

        foreach (var returnUrl in new[] { "/a\0b", "/a\r\nSet-Cookie: x=1", "/a\tb", "/caf\u00e9", "/\u0645\u0624\u0634\u0631", "/" + Huge, "//evil.example", "/\\evil.example", "https://evil.example/", "\0" })
        {
            var response = await PostAsync(web, page, $"/notifications?handler=Resend&id={sent}", [new("returnUrl", returnUrl)]);
            AssertClientError(response, Refused(returnUrl, HttpStatusCode.Redirect), $"returnUrl '{returnUrl[..Math.Min(20, returnUrl.Length)]}'");
            if (returnUrl.Contains('\0'))
            {
                continue;
            }
            var location = response.Headers.Location!.OriginalString;
            Assert.That(location, Does.StartWith("/").And.Not.StartWith("//").And.Not.StartWith("/\\"), "never off the site");
            Assert.That(location.All(c => c > ' ' && c < 127), Is.True, $"a clean address: {location[..Math.Min(40, location.Length)]}");
            Assert.That(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("x=")), Is.False, "no header injected");
        }

        foreach (var at in new[] { "\0", "1\0", Huge, "\r\n" })
        {
            var row = await PostAsync(web, page, $"/notifications?handler=Resend&id={sent}", [new("at", at)], htmx: true);
            AssertClientError(row, Refused(at, HttpStatusCode.OK), $"at of length {at.Length}");
            AssertClientError(await web.GetAsync($"/notifications?handler=Delivery&id={sent}&at={Q(at)}"),
                at.Length > 8_000 ? HttpStatusCode.RequestUriTooLong : Refused(at, HttpStatusCode.OK), $"row with at of length {at.Length}");
            if (!at.Contains('\0'))
            {
                Assert.That(await row.Content.ReadAsStringAsync(), Does.Contain($"id=\"delivery-{sent}\""));
            }
        }
        Assert.That(await DeliveriesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task The_admin_filter_shows_field_errors_for_bad_values_and_never_widens_a_bulk_resend()
    {
        var admin = await UserAsync(this, App, Http, "badinput-admin", admin: true);
        var user = await UserAsync(this, App, Http, "badinput");
        await SeedAsync(user.Id, DeliveryStatus.Failed, Channel.Email);
        await SeedAsync(user.Id, DeliveryStatus.Failed, Channel.Webhook, new DateTimeOffset(2001, 3, 10, 12, 0, 0, TimeSpan.Zero));
        var web = await SignedInAsync(admin);
        var before = await DeliveriesAsync();

        // Values the filter cannot mean: a field error each, no rows, nothing to resend.
        const string badChannel = "Choose a channel from the list.", badDate = "Enter a valid date.";
        foreach (var (field, value, message) in new[]
                 {
                     ("Channel", "bogus", badChannel), ("Channel", "999", badChannel), ("Channel", Huge, badChannel), ("Channel", "Web\u0001hook", badChannel),
                     ("From", "yesterday", badDate), ("From", "2001-02-30", badDate), ("From", "2001-01-01\u0001", badDate), ("To", Huge, badDate),
                     ("To", "99999-01-01", badDate),
                 })
        {
            var what = $"{field}={value[..Math.Min(20, value.Length)]}";
            var filter = $"{field}={Q(value)}";
            var response = await web.GetAsync("/admin/deliveries?" + filter);
            if (value.Length > 8_000)
            {
                // Too long for a request line: Kestrel refuses it (414); the form below carries it in its body.
                AssertClientError(response, HttpStatusCode.RequestUriTooLong, what);
            }
            else
            {
                AssertClientError(response, HttpStatusCode.BadRequest, what);
                var html = await response.Content.ReadAsStringAsync();
                Assert.That(html, Does.Contain($"id=\"{field}-error\">{message}<"), $"a field error on {field}");
                Assert.That(html, Does.Contain("aria-invalid=\"true\""));
                Assert.That(html, Does.Not.Contain("data-testid=\"resend-all\"").And.Not.Contain("data-testid=\"failed-deliveries\""));
            }

            var bulk = await PostAsync(web, "/admin/deliveries", "/admin/deliveries/ResendAll", [new(field, value)]);
            AssertClientError(bulk, HttpStatusCode.BadRequest, "bulk resend with " + what);
            Assert.That(await bulk.Content.ReadAsStringAsync(), Does.Contain($"id=\"{field}-error\">{message}<"));
            Assert.That(await DeliveriesAsync(), Is.EqualTo(before), "a filter that means nothing resends nothing: " + what);
        }
        foreach (var filter in new[] { "Channel=%00", "From=%00", "To=2001-01-01%00" })
        {
            AssertClientError(await web.GetAsync("/admin/deliveries?" + filter), HttpStatusCode.BadRequest, filter);
            AssertClientError(await PostAsync(web, "/admin/deliveries", "/admin/deliveries/ResendAll?" + filter), HttpStatusCode.BadRequest, "bulk resend with " + filter);
        }

        // The first and last days a date can be: a filter like any other (here it matches nothing).
        foreach (var filter in new[] { "From=0001-01-01&To=0001-01-01", "From=9999-12-31&To=9999-12-31", "To=0001-01-01", "From=9999-12-31" })
        {
            var response = await web.GetAsync("/admin/deliveries?" + filter);
            AssertClientError(response, HttpStatusCode.OK, filter);
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Failed deliveries matching: 0"));
            var bulk = await PostAsync(web, "/admin/deliveries", "/admin/deliveries/ResendAll?" + filter);
            AssertClientError(bulk, HttpStatusCode.Redirect, "bulk resend with " + filter);
        }
        Assert.That(await DeliveriesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task The_admin_single_resend_refuses_bad_ids_and_a_request_without_its_token()
    {
        var admin = await UserAsync(this, App, Http, "badinput-admin", admin: true);
        var user = await UserAsync(this, App, Http, "badinput");
        var failed = await SeedAsync(user.Id, DeliveryStatus.Failed);
        var web = await SignedInAsync(admin);
        var before = await DeliveriesAsync();

        foreach (var id in new[] { "abc", "\0", "1\0", "1\r\n2", "99999999999999999999999", "1e5", " ", "" })
        {
            AssertClientError(await PostAsync(web, "/admin/deliveries", $"/admin/deliveries/Resend?id={Q(id)}"), HttpStatusCode.BadRequest, $"id '{id}'");
        }
        AssertClientError(await PostAsync(web, "/admin/deliveries", "/admin/deliveries/Resend", [new("id", Huge)]), HttpStatusCode.BadRequest, "10,000 digits");
        AssertClientError(await PostAsync(web, "/admin/deliveries", "/admin/deliveries/Resend"), HttpStatusCode.NotFound, "no id (0)");
        foreach (var id in new[] { "-1", "0", long.MaxValue.ToString() })
        {
            AssertClientError(await PostAsync(web, "/admin/deliveries", $"/admin/deliveries/Resend?id={id}"), HttpStatusCode.NotFound, $"id {id}");
        }
        AssertClientError(await web.PostAsync($"/admin/deliveries/Resend?id={failed}", new FormUrlEncodedContent([])), HttpStatusCode.BadRequest, "no token");
        AssertClientError(await web.PostAsync("/admin/deliveries/ResendAll", new FormUrlEncodedContent([])), HttpStatusCode.BadRequest, "no token, all");
        Assert.That(await DeliveriesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Confirm_and_discard_refuse_bad_ids_and_leave_held_back_ticks_waiting()
    {
        var admin = await UserAsync(this, App, Http, "badinput-admin", admin: true);
        var tick = await App.WithDbAsync(async db =>
        {
            var instrument = await db.Set<Instrument>().OrderBy(i => i.Id).FirstAsync();
            var row = new QuarantinedTick
            {
                InstrumentId = instrument.Id, Time = DateTimeOffset.UtcNow, SessionDate = DateOnly.FromDateTime(DateTime.UtcNow), Price = 1000m,
                ReferencePrice = 500m, ChangePercent = 100m, Reason = QuarantineReason.OutsideThreshold, Status = QuarantineStatus.Pending, Source = "test",
            };
            db.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        });
        var web = await SignedInAsync(admin);
        var before = await TicksAsync();

        foreach (var handler in new[] { "Confirm", "Discard" })
        {
            foreach (var id in new[] { "abc", "\0", tick + "\0", "1\r\n2", "99999999999999999999999", "1e5", " ", "" })
            {
                AssertClientError(await PostAsync(web, "/admin/feed", $"/admin/feed?handler={handler}&id={Q(id)}"), HttpStatusCode.BadRequest, $"{handler} '{id}'");
            }
            AssertClientError(await PostAsync(web, "/admin/feed", $"/admin/feed?handler={handler}", [new("id", Huge)]), HttpStatusCode.BadRequest, $"{handler} 10,000 digits");
            AssertClientError(await PostAsync(web, "/admin/feed", $"/admin/feed?handler={handler}"), HttpStatusCode.NotFound, $"{handler} no id (0)");
            foreach (var id in new[] { "-1", "0", long.MaxValue.ToString() })
            {
                AssertClientError(await PostAsync(web, "/admin/feed", $"/admin/feed?handler={handler}&id={id}"), HttpStatusCode.NotFound, $"{handler} {id}");
            }
            AssertClientError(await web.PostAsync($"/admin/feed?handler={handler}&id={tick}", new FormUrlEncodedContent([])), HttpStatusCode.BadRequest, $"{handler} no token");
        }
        Assert.That(await TicksAsync(), Is.EqualTo(before));
    }
}
