using System.IO.Compression;
using System.Net;
using MarketWatch.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MarketWatch.Tests.Features.Edge;

/// <summary>
/// Pages, fragments and JSON leave compressed over HTTPS (the dashboard's page shrinks to a fraction of its 130 KB);
/// the account pages (which show secrets) and the live streams (each event must leave at once) never are.
/// </summary>
public sealed class ResponseCompressionTests : AppTest
{
    private HttpClient Https() =>
        App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

    private static HttpRequestMessage Get(string url, string encoding = "br, gzip")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/html");
        request.Headers.AcceptEncoding.ParseAdd(encoding);
        return request;
    }

    [Test]
    public async Task A_page_is_sent_compressed_with_brotli_and_reads_back_whole()
    {
        using var http = Https();
        using var response = await http.SendAsync(Get("/analytics"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "br" }));
        var compressed = await response.Content.ReadAsByteArrayAsync();
        await using var brotli = new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var html = await new StreamReader(brotli).ReadToEndAsync();
        Assert.That(html, Does.Contain("id=\"heatmap\"").And.Contain("</html>"));
        Assert.That(compressed, Has.Length.LessThan(html.Length / 4), "the heatmap's drawings compress well");
    }

    [Test]
    public async Task Json_goes_gzipped_to_a_client_that_only_reads_gzip_and_plain_to_one_that_asks_for_nothing()
    {
        using var http = Https();
        using var gzip = await http.SendAsync(Get("/analytics/cells?period=D1", "gzip"));
        Assert.That(gzip.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "gzip" }));
        await using var stream = new GZipStream(await gzip.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        Assert.That(await new StreamReader(stream).ReadToEndAsync(), Does.StartWith("{\"version\":"));

        using var plain = await http.GetAsync("/analytics/cells?period=D1");
        Assert.That(plain.Content.Headers.ContentEncoding, Is.Empty);
        Assert.That(await plain.Content.ReadAsStringAsync(), Does.StartWith("{\"version\":"));
    }

    [Test]
    public async Task Account_pages_and_live_streams_are_never_compressed()
    {
        using var http = Https();
        using var login = await http.SendAsync(Get("/account/login"));
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(login.Content.Headers.ContentEncoding, Is.Empty, "an account page");
        Assert.That(await login.Content.ReadAsStringAsync(), Does.Contain("<form"));

        using var request = Get("/stream/analytics");
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var stream = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(stream.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        // ASP.NET Core's server-sent events say "identity" themselves; neither compressor may take the stream over.
        Assert.That(stream.Content.Headers.ContentEncoding, Has.None.EqualTo("br").And.None.EqualTo("gzip"), "a live stream");
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.That(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)), Does.StartWith("event: ready").Or.StartWith("id: ").Or.StartWith("retry: "),
            "the first event arrives readable");
    }
}
