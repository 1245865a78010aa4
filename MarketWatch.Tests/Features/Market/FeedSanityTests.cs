using System.Net;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Market;

/// <summary>
/// Issue 11 item 8 (feed sanity): a tick beyond the exchange's static threshold is held back: no quote, no live price,
/// no alert, shown on /admin/feed, until the next ticks confirm the move or an admin does. Through the real ingest
/// poll (a scripted provider), the real store, NOTIFY and the alert engine.
/// </summary>
[NonParallelizable]
public sealed class FeedSanityTests : AppTest
{
    private static readonly FeedSanityRules Rules = new(ThresholdPercent: 10m, ConfirmTicks: 3, ConfirmTolerancePercent: 2m);

    private HttpClient _admin = null!;
    private string _adminEmail = "";

    // Alerts fire while the market trades: the demo mode keeps it open whatever the hour the tests run.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["MarketData:Simulated:DemoMode"] = "true" };

    [OneTimeSetUp]
    public async Task SignInAdminAsync()
    {
        // The first account of a fresh database is the admin.
        _admin = Client();
        _adminEmail = NewEmail("admin");
        await RegisterAsync(_admin, _adminEmail);
        await SignInAsync(_admin, _adminEmail);
    }

    private sealed record Feed(IngestService Ingest, IngestLease Lease, IngestState State) : IAsyncDisposable
    {
        public Task PollAsync(params ProviderQuote[] quotes) => Ingest.PollOnceAsync(new ScriptedProvider(quotes), State, Lease, CancellationToken.None);

        public ValueTask DisposeAsync() => Lease.DisposeAsync();
    }

    private async Task<Feed> StartFeedAsync()
    {
        var ingest = ActivatorUtilities.CreateInstance<IngestService>(App.Services);
        var dataSource = App.Services.GetRequiredService<NpgsqlDataSource>();
        IngestLease? lease = null;
        await Eventually.TrueAsync(async () => (lease = await IngestLease.TryAcquireAsync(dataSource, CancellationToken.None)) is not null, "the ingest lease");
        return new Feed(ingest, lease!, await ingest.LoadAsync(CancellationToken.None, Rules));
    }

    private static ProviderQuote Tick(string ticker, decimal price, DateTimeOffset time, decimal previousClose) =>
        new(ticker, price, time, PreviousClose: previousClose, Volume: 100);

    private Task<decimal?> LastAsync(string ticker) => App.WithDbAsync(db =>
        db.Quotes.Where(q => db.Set<Instrument>().Any(i => i.Id == q.InstrumentId && i.Ticker == ticker)).Select(q => (decimal?)q.Last).SingleOrDefaultAsync());

    private Task<List<QuarantinedTick>> HeldAsync(string ticker) => App.WithDbAsync(db =>
        db.QuarantinedTicks.AsNoTracking().Where(q => db.Set<Instrument>().Any(i => i.Id == q.InstrumentId && i.Ticker == ticker))
            .OrderBy(q => q.Id).ToListAsync());

    private async Task<string> FeedPageAsync()
    {
        var response = await _admin.GetAsync("/admin/feed");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    [Test]
    public async Task A_50_percent_tick_is_held_back_fires_no_alert_shows_on_the_feed_page_and_is_taken_once_the_next_ticks_confirm_it()
    {
        await using var feed = await StartFeedAsync();
        var t = ScriptedProvider.Now();
        await feed.PollAsync(Tick("ATW", 705m, t, 700m), Tick("IAM", 100m, t, 100m));

        var user = await UserAsync(this, App, Client, "sanity");
        var armed = App.Services.GetRequiredService<AlertEngine>().Armed;
        var glitchAlert = await CreateAsync(user.Api, new { ticker = "ATW", condition = "PriceAbove", level = 1000, channels = new[] { "InApp" } });
        var sentinel = await CreateAsync(user.Api, new { ticker = "IAM", condition = "PriceAbove", level = 101, channels = new[] { "InApp" } });
        await WaitArmedAsync(App, armed + 2);

        // The glitch: ATW +51% from its reference, in the same poll as an ordinary IAM tick that fires the sentinel.
        // (Ticks are timed now: an alert ignores ticks older than itself.)
        var glitch = ScriptedProvider.Now();
        await feed.PollAsync(Tick("ATW", 1057.5m, glitch, 700m), Tick("IAM", 102m, glitch, 100m));
        await WaitEvaluatedAsync(App, glitch);
        Assert.That(await FiringsAsync(App, sentinel), Has.Count.EqualTo(1), "the engine has processed the glitch's poll");
        Assert.That(await FiringsAsync(App, glitchAlert), Is.Empty, "a held-back tick never reaches the alert engine");
        Assert.That(await LastAsync("ATW"), Is.EqualTo(705m), "nor the quote");
        var held = (await HeldAsync("ATW")).Single();
        Assert.That((held.Price, held.ReferencePrice, held.Reason, held.Status, held.Source),
            Is.EqualTo((1057.5m, 700m, QuarantineReason.OutsideThreshold, QuarantineStatus.Pending, "Scripted")));
        Assert.That(held.ChangePercent, Is.EqualTo(51.0714m));

        var page = await FeedPageAsync();
        Assert.That(page, Does.Contain("data-testid=\"quarantine-pending\">1<"));
        Assert.That(page, Does.Contain($"data-id=\"{held.Id}\" data-ticker=\"ATW\" data-status=\"Pending\""));

        // Two more ticks near the new level: the third in a row makes it the price (a real move), and the alert fires.
        await feed.PollAsync(Tick("ATW", 1060m, glitch.AddSeconds(1), 700m));
        Assert.That(await LastAsync("ATW"), Is.EqualTo(705m), "two ticks are not yet a confirmation");
        var confirmedAt = glitch.AddSeconds(2);
        await feed.PollAsync(Tick("ATW", 1058m, confirmedAt, 700m));
        Assert.That(await LastAsync("ATW"), Is.EqualTo(1058m));
        var rows = await HeldAsync("ATW");
        Assert.That(rows.Select(r => (r.Price, r.Status, r.ResolvedBy, r.AppliedAt is not null)), Is.EqualTo(new[]
        {
            (1057.5m, QuarantineStatus.Confirmed, (string?)null, true),
            (1060m, QuarantineStatus.Confirmed, (string?)null, true),
        }));
        await WaitEvaluatedAsync(App, confirmedAt);
        Assert.That((await FiringsAsync(App, glitchAlert)).Select(f => f.Price), Is.EqualTo(new[] { 1058m }), "the confirmed move is a price like any other");

        // The confirmed level is the session's reference from now on: the next tick near it is taken at once.
        await feed.PollAsync(Tick("ATW", 1062m, glitch.AddSeconds(3), 700m));
        Assert.That(await LastAsync("ATW"), Is.EqualTo(1062m));
        Assert.That(await HeldAsync("ATW"), Has.Count.EqualTo(2));
        Assert.That(await FeedPageAsync(), Does.Contain("data-testid=\"quarantine-pending\">0<"));
    }

    [Test]
    public async Task An_admin_confirms_a_held_back_move_which_the_ingest_applies_and_discards_a_non_positive_price()
    {
        await using var feed = await StartFeedAsync();
        var t = ScriptedProvider.Now();
        await feed.PollAsync(Tick("BCP", 281m, t, 280m), Tick("CIH", 400m, t, 400m));
        await feed.PollAsync(Tick("BCP", 420m, t.AddSeconds(1), 280m), Tick("CIH", 0m, t.AddSeconds(1), 400m));
        var bcp = (await HeldAsync("BCP")).Single();
        var cih = (await HeldAsync("CIH")).Single();
        Assert.That((cih.Reason, cih.Status), Is.EqualTo((QuarantineReason.NotPositive, QuarantineStatus.Pending)));
        Assert.That((await LastAsync("BCP"), await LastAsync("CIH")), Is.EqualTo(((decimal?)281m, (decimal?)400m)));

        // Without the antiforgery token the form is refused; a non-positive price cannot be confirmed.
        var forged = await _admin.PostAsync($"/admin/feed?handler=Confirm&id={bcp.Id}", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        await PostFormAsync(_admin, "/admin/feed", new Dictionary<string, string>(), $"/admin/feed?handler=Confirm&id={cih.Id}");
        Assert.That((await HeldAsync("CIH")).Single().Status, Is.EqualTo(QuarantineStatus.Pending));

        var confirm = await PostFormAsync(_admin, "/admin/feed", new Dictionary<string, string>(), $"/admin/feed?handler=Confirm&id={bcp.Id}");
        Assert.That(confirm.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        bcp = (await HeldAsync("BCP")).Single();
        Assert.That((bcp.Status, bcp.ResolvedBy, bcp.AppliedAt), Is.EqualTo((QuarantineStatus.Confirmed, _adminEmail, (DateTimeOffset?)null)));
        Assert.That(await LastAsync("BCP"), Is.EqualTo(281m), "the ingest applies it, at its next poll");

        // The next poll (whatever the feed says meanwhile) applies the admin's decision, then takes ticks near that level.
        await feed.PollAsync();
        Assert.That(await LastAsync("BCP"), Is.EqualTo(420m));
        Assert.That((await HeldAsync("BCP")).Single().AppliedAt, Is.Not.Null);
        await feed.PollAsync(Tick("BCP", 425m, t.AddSeconds(2), 280m));
        Assert.That(await LastAsync("BCP"), Is.EqualTo(425m));

        var discard = await PostFormAsync(_admin, "/admin/feed", new Dictionary<string, string>(), $"/admin/feed?handler=Discard&id={cih.Id}");
        Assert.That(discard.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        cih = (await HeldAsync("CIH")).Single();
        Assert.That((cih.Status, cih.ResolvedBy), Is.EqualTo((QuarantineStatus.Discarded, _adminEmail)));
        Assert.That(await LastAsync("CIH"), Is.EqualTo(400m));
        var page = await FeedPageAsync();
        Assert.That(page, Does.Contain($"data-id=\"{cih.Id}\" data-ticker=\"CIH\" data-status=\"Discarded\""));
    }
}
