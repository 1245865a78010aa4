using System.Net;
using System.Net.Http.Headers;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using SkiaSharp;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>The share-preview images: every kind is a 1200×630 PNG, cached with an ETag, localized, and a revoked share is a 404.</summary>
public sealed class SocialPreviewTests : AppTest
{
    private static async Task<byte[]> PngAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), System.Text.Encoding.UTF8.GetString(bytes.Take(300).ToArray()));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/png"));
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.That(bitmap, Is.Not.Null, "a decodable PNG");
        Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((1200, 630)));
        return bytes;
    }

    private async Task<(HttpClient Client, int ListId)> OwnerAsync(string prefix)
    {
        var client = Client();
        var email = NewEmail(prefix);
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var id = await App.WithDbAsync(db => db.Set<Watchlist>()
            .Where(w => db.Users.Any(u => u.Id == w.UserId && u.Email == email)).Select(w => w.Id).SingleAsync());
        return (client, id);
    }

    [Test]
    public async Task A_stock_preview_is_a_cached_png_with_an_etag_and_an_unknown_ticker_is_404()
    {
        var client = Client();
        var response = await client.GetAsync("/preview/stock/ATW.png");
        var english = await PngAsync(response);
        Assert.That(response.Headers.CacheControl?.Public, Is.True);
        Assert.That(response.Headers.CacheControl?.MaxAge, Is.GreaterThan(TimeSpan.Zero));
        var etag = response.Headers.ETag;
        Assert.That(etag, Is.Not.Null);

        using (var again = new HttpRequestMessage(HttpMethod.Get, "/preview/stock/atw.png"))
        {
            again.Headers.IfNoneMatch.Add(etag!);
            Assert.That((await client.SendAsync(again)).StatusCode, Is.EqualTo(HttpStatusCode.NotModified), "same period, same image");
        }

        using (var arabic = new HttpRequestMessage(HttpMethod.Get, "/preview/stock/ATW.png"))
        {
            arabic.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("ar"));
            var response2 = await client.SendAsync(arabic);
            var bytes = await PngAsync(response2);
            Assert.That(bytes, Is.Not.EqualTo(english), "drawn in Arabic");
            Assert.That(response2.Headers.ETag, Is.Not.EqualTo(etag));
        }

        Assert.That((await client.GetAsync("/preview/stock/NOPE.png")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_shared_watchlist_has_a_preview_until_its_link_is_revoked()
    {
        var (owner, id) = await OwnerAsync("preview");
        await PostFormAsync(owner, "/watchlists", new Dictionary<string, string> { ["ticker"] = "ATW" }, $"/watchlists/{id}/add");
        await PostFormAsync(owner, "/watchlists", new Dictionary<string, string> { ["shared"] = "true" }, $"/watchlists/{id}/share");
        var token = await App.WithDbAsync(db => db.Set<Watchlist>().Where(w => w.Id == id).Select(w => w.ShareToken).SingleAsync());
        var anonymous = Client();
        await PngAsync(await anonymous.GetAsync($"/preview/watchlist/{token}.png"));
        var page = await anonymous.GetStringAsync($"/w/{token}");
        Assert.That(page, Does.Contain($"/preview/watchlist/{token}.png").And.Contain("og:image"));

        await PostFormAsync(owner, "/watchlists", new Dictionary<string, string> { ["shared"] = "false" }, $"/watchlists/{id}/share");
        Assert.That((await anonymous.GetAsync($"/preview/watchlist/{token}.png")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "revoked: gone at once, whatever was kept");
        Assert.That((await anonymous.GetAsync("/preview/watchlist/not-a-token.png")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_shared_portfolio_has_a_preview_until_its_link_is_revoked()
    {
        await Ticks.WriteAsync(App, ("ATW", 600m));
        var (_, listId) = await OwnerAsync("portfolio");
        var token = "preview-" + Guid.NewGuid().ToString("N");
        var portfolioId = await App.WithDbAsync(async db =>
        {
            var userId = await db.Set<Watchlist>().Where(w => w.Id == listId).Select(w => w.UserId).SingleAsync();
            var atw = await db.Instruments.Where(i => i.Ticker == "ATW").Select(i => i.Id).SingleAsync();
            var portfolio = new MarketWatch.Web.Features.Portfolios.Portfolio
            {
                UserId = userId, Name = "Preview portfolio", CreatedAt = DateTimeOffset.UtcNow, ShareToken = token,
                Transactions =
                [
                    new() { Type = MarketWatch.Web.Features.Portfolios.TransactionType.Buy, Date = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-30),
                        InstrumentId = atw, Quantity = 10, Price = 500m, Amount = 5000m, CreatedAt = DateTimeOffset.UtcNow },
                ],
            };
            db.Add(portfolio);
            await db.SaveChangesAsync();
            return portfolio.Id;
        });
        var anonymous = Client();
        await PngAsync(await anonymous.GetAsync($"/preview/portfolio/{token}.png"));
        Assert.That(await anonymous.GetStringAsync($"/p/{token}"), Does.Contain($"/preview/portfolio/{token}.png"));

        await App.WithDbAsync(db => db.Portfolios.Where(p => p.Id == portfolioId).ExecuteUpdateAsync(p => p.SetProperty(x => x.ShareToken, (string?)null)));
        Assert.That((await anonymous.GetAsync($"/preview/portfolio/{token}.png")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Screener_and_leaderboard_previews_accept_any_query()
    {
        var client = Client();
        await PngAsync(await client.GetAsync("/preview/screener.png?sector=Banks&rsi=lt30&sort=-change"));
        await PngAsync(await client.GetAsync("/preview/screener.png"));
        await PngAsync(await client.GetAsync("/preview/screener.png?x&=y&%E2%80%AE=%D8%A8&" + new string('a', 3000) + "=1"));
        // A NUL anywhere is refused by the app's input guard before it reaches the preview: a 400, never a 500.
        Assert.That((int)(await client.GetAsync("/preview/screener.png?%00=%00")).StatusCode, Is.EqualTo(400));
        await PngAsync(await client.GetAsync("/preview/leaderboard.png?period=1M"));
        await PngAsync(await client.GetAsync("/preview/leaderboard.png?period=nonsense"));
    }

    [Test]
    public async Task The_stock_page_carries_open_graph_tags_with_an_absolute_image_url()
    {
        var html = await Client().GetStringAsync("/stocks/ATW");
        Assert.That(html, Does.Match("<meta property=\"og:image\" content=\"https?://[^\"]+/preview/stock/ATW\\.png\""));
        Assert.That(html, Does.Contain("twitter:card").And.Contain("data-testid=\"share-button\""));
    }
}
