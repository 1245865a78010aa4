using System.Net;
using System.Text;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features.Edge;

/// <summary>Kestrel's limits (Kestrel:Limits in appsettings.json): an oversized request is a 413 or 431, never a 500.</summary>
public sealed class KestrelLimitsTests : AppTest
{
    protected override bool UseKestrel => true;

    private HttpClient Http() => new() { BaseAddress = App.ServerAddress };

    [Test]
    public async Task A_body_over_the_default_limit_gets_413_on_the_api_and_a_client_error_on_a_form()
    {
        // 5 MB: over the 4 MB default, far under Kestrel's own 30 MB.
        var big = new string('a', 5 * 1024 * 1024);
        var api = await PostAsync("/api/auth/login", new StringContent($$"""{"email":"a@example.com","password":"{{big}}"}""", Encoding.UTF8, "application/json"));
        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), await api.Content.ReadAsStringAsync());

        var form = await PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Email"] = "a@example.com", ["Input.Password"] = big }));
        // A form's body is first read by the antiforgery check, which turns any read failure into its own 400.
        Assert.That((int)form.StatusCode, Is.AnyOf(400, 413));
    }

    /// <summary>
    /// With <c>Expect: 100-continue</c>, as a careful client sends a big body: the server answers before the body is
    /// sent (otherwise it answers 413 and closes while the client is still writing, which the client sees as a reset).
    /// </summary>
    private async Task<HttpResponseMessage> PostAsync(string path, HttpContent content)
    {
        using var http = Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.ExpectContinue = true;
        return await http.SendAsync(request);
    }

    [Test]
    public async Task Headers_over_the_limit_get_431()
    {
        using var http = Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Padding", new string('a', 40 * 1024));
        Assert.That((await http.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));

        using var many = new HttpRequestMessage(HttpMethod.Get, "/");
        for (var i = 0; i < 80; i++)
        {
            many.Headers.Add($"X-Header-{i}", "x");
        }
        Assert.That((await http.SendAsync(many)).StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));
    }
}
