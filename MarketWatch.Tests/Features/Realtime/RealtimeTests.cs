using System.Net.Sockets;
using System.Text;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Realtime;

/// <summary>Live quotes over server-sent events: state first, NOTIFY across instances, and conflation for slow clients.</summary>
[NonParallelizable]
public sealed class RealtimeTests
{
    private static async Task<T> WithAppsAsync<T>(int count, bool kestrel, Func<MarketWatchFactory[], Task<T>> test)
    {
        var database = await TestDatabase.CreateAsync();
        var apps = Enumerable.Range(0, count).Select(_ => new MarketWatchFactory(database, kestrel: kestrel)).ToArray();
        try
        {
            foreach (var app in apps)
            {
                _ = kestrel ? app.ServerAddress : app.Server.BaseAddress;
                await EventuallyListeningAsync(app);
            }
            return await test(apps);
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
            await TestDatabase.DropAsync(database);
        }
    }

    private static async Task EventuallyListeningAsync(MarketWatchFactory app)
    {
        var backplane = app.Services.GetRequiredService<QuoteBackplane>();
        for (var i = 0; i < 100 && !backplane.Listening; i++)
        {
            await Task.Delay(50);
        }
        Assert.That(backplane.Listening, Is.True, "the backplane LISTENs");
    }

    [Test]
    public async Task A_stream_sends_the_current_state_at_once_then_each_stored_tick() =>
        await WithAppsAsync(1, kestrel: false, async apps =>
        {
            var app = apps[0];
            await Ticks.WriteAsync(app, ("ATW", 760m), ("IAM", 121m));
            using var stream = await SseClient.ConnectAsync(app.CreateClient(), "/stream/quotes?tickers=ATW,IAM&view=row");
            var first = await stream.WaitForAsync(e => e.Event == "quote-ATW", TimeSpan.FromSeconds(5));
            Assert.That(first.Data, Does.Contain("760.00").And.Contain("sse-swap=\"quote-ATW\""));
            await stream.WaitForAsync(e => e.Event == "quote-IAM", TimeSpan.FromSeconds(5));

            await Ticks.WriteAsync(app, ("ATW", 771.5m));
            var update = await stream.WaitForAsync(e => e.Event == "quote-ATW", TimeSpan.FromSeconds(5));
            Assert.That(update.Data, Does.Contain("771.50").And.Contain("flash-up"));
            Assert.That(long.Parse(update.Id!), Is.GreaterThan(long.Parse(first.Id!)));
            return 0;
        });

    [Test]
    public async Task Unknown_or_missing_tickers_are_refused_before_streaming() =>
        await WithAppsAsync(1, kestrel: false, async apps =>
        {
            var client = apps[0].CreateClient();
            Assert.That((int)(await client.GetAsync("/stream/quotes?tickers=NOPE")).StatusCode, Is.EqualTo(404));
            Assert.That((int)(await client.GetAsync("/stream/quotes?tickers=")).StatusCode, Is.EqualTo(400));
            return 0;
        });

    [Test]
    public async Task A_tick_stored_through_one_instance_reaches_a_client_of_another() =>
        await WithAppsAsync(2, kestrel: false, async apps =>
        {
            var (ingesting, serving) = (apps[0], apps[1]);
            using var stream = await SseClient.ConnectAsync(serving.CreateClient(), "/stream/quotes?tickers=BCP&view=price");
            await stream.WaitForAsync(e => e.Event == "price-BCP", TimeSpan.FromSeconds(5));
            await Ticks.WriteAsync(ingesting, ("BCP", 333.33m));
            var update = await stream.WaitForAsync(e => e.Event == "price-BCP" && e.Data.Contains("333.33"), TimeSpan.FromSeconds(5));
            Assert.That(update.Data, Does.Contain("sse-swap=\"price-BCP\""));
            return 0;
        });

    [Test]
    public async Task A_client_that_stops_reading_holds_one_update_per_ticker_and_never_delays_the_others() =>
        await WithAppsAsync(1, kestrel: true, async apps =>
        {
            var app = apps[0];
            var hub = app.Services.GetRequiredService<QuoteHub>();
            var tickers = Catalogue.Equities().Take(20).Select(e => e.Ticker).ToArray();
            var query = "/stream/quotes?view=row&tickers=" + string.Join(",", tickers);

            // The slow client: asks for the stream over a real socket, then never reads.
            using var slow = new TcpClient { ReceiveBufferSize = 1024 };
            await slow.ConnectAsync(app.ServerAddress.Host, app.ServerAddress.Port);
            await slow.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"GET {query} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"));

            using var http = new HttpClient { BaseAddress = app.ServerAddress, Timeout = Timeout.InfiniteTimeSpan };
            using var fast = await SseClient.ConnectAsync(http, query);
            for (var i = 0; i < 100 && hub.Connections < 2; i++)
            {
                await Task.Delay(50);
            }
            Assert.That(hub.Connections, Is.EqualTo(2));

            // 600 rounds of 20 tickers (~5 MB of rendered rows per client): far beyond any socket buffer.
            const int rounds = 600;
            var largest = 0;
            for (var round = 1; round <= rounds; round++)
            {
                hub.Publish(tickers.Select(t => new QuoteRow(t, t + " name", "Sector", 1000m + round, round, 1m, 10, 100m, null, null, null, 1000m,
                    DateTimeOffset.UtcNow, "Test", 1000, false)).ToList());
                largest = Math.Max(largest, hub.LargestQueue());
            }
            var last = (1000m + rounds).ToString("N2", System.Globalization.CultureInfo.GetCultureInfo("en"));
            var seen = new HashSet<string>();
            await fast.WaitForAsync(e =>
            {
                if (e.Data.Contains(last))
                {
                    seen.Add(e.Event);
                }
                return seen.Count == tickers.Length;
            }, TimeSpan.FromSeconds(20));
            Assert.That(largest, Is.LessThanOrEqualTo(tickers.Length), "a queue never holds more than one update per ticker");
            return 0;
        });
}
