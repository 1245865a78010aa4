using System.Net.Sockets;
using System.Text;
using MarketWatch.Tests.Infrastructure;
using System.Threading.Channels;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Live;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MarketWatch.Tests.Features.Market.Live;

/// <summary>
/// Live quotes: one read per notified batch for every consumer, server-sent events (state first, NOTIFY across
/// instances), and conflation for slow clients and slow consumers.
/// </summary>
[NonParallelizable]
public sealed class LiveQuotesTests
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
        var listener = app.Services.GetRequiredService<QuoteListener>();
        await Eventually.TrueAsync(() => listener.Listening, "the quote listener to LISTEN");
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
            await Eventually.TrueAsync(() => hub.Connections >= 2, "both stream connections to open");
            Assert.That(hub.Connections, Is.EqualTo(2));

            // Rounds of 20 tickers, each sent to the fast client before the next: the slow connection is offered every
            // round too, until its socket is full and its writer blocks; from then on its backlog stays with it.
            var round = 0;
            var behind = 0;
            while (behind < 20 && round < 3000)
            {
                round++;
                hub.Publish(tickers.Select(t => new QuoteRow(t, t + " name", "Sector", 1000m + round, round, 1m, 10, 100m, null, null, null, 1000m,
                    DateTimeOffset.UtcNow, "Test", 1000, false)).ToList());
                var price = (1000m + round).ToString("N2", System.Globalization.CultureInfo.GetCultureInfo("en"));
                var seen = new HashSet<string>();
                await fast.WaitForAsync(e =>
                {
                    if (e.Data.Contains(price))
                    {
                        seen.Add(e.Event);
                    }
                    return seen.Count == tickers.Length;
                }, TimeSpan.FromSeconds(10));
                behind = hub.Backlogs().Any(b => b.Count > 0) ? behind + 1 : 0;
            }
            Assert.That(behind, Is.EqualTo(20), $"the client that stopped reading fell behind (after {round} rounds)");
            // Its backlog is one update per ticker, the latest (a queue of every update would hold more; one that kept
            // the first update of each ticker, older prices); the fast client got every round meanwhile.
            var backlog = hub.Backlogs().Single(b => b.Count > 0);
            Assert.That(backlog.Select(u => u.Row.Ticker), Is.EquivalentTo(tickers), "the slow client holds one update per ticker");
            Assert.That(backlog.Select(u => u.Row.Last), Is.All.EqualTo(1000m + round), "and each is the latest");
            return 0;
        });

    [Test]
    public async Task One_read_of_a_notified_batch_serves_every_consumer_and_a_slow_one_delays_only_itself() =>
        await WithAppsAsync(1, kestrel: false, async apps =>
        {
            var app = apps[0];
            Assert.That(app.Services.GetServices<IQuoteBatchConsumer>(),
                Does.Contain(app.Services.GetRequiredService<QuoteHub>()).And.Contain(app.Services.GetRequiredService<AlertEngine>()),
                "the app's streams and alert engine take their quotes from its one listener");

            // A listener of our own over the same database, with a consumer that stays busy and one that keeps up.
            var slow = new Recorder(busyOnTicks: true);
            var fast = new Recorder(busyOnTicks: false);
            await using var consumers = new ServiceCollection()
                .AddSingleton<IQuoteBatchConsumer>(slow).AddSingleton<IQuoteBatchConsumer>(fast).BuildServiceProvider();
            using var listener = new QuoteListener(app.Services.GetRequiredService<NpgsqlDataSource>(),
                app.Services.GetRequiredService<IServiceScopeFactory>(), consumers, new DatabaseHealth(TimeProvider.System), TimeProvider.System,
                NullLogger<QuoteListener>.Instance);
            await listener.StartAsync(CancellationToken.None);
            try
            {
                // Once it listens, every consumer gets every quote (a resync): the first read.
                await fast.WaitForAsync(b => b.Resync, "the resync");
                await slow.WaitForAsync(b => b.Resync, "the resync");
                Assert.That(listener.Reads, Is.EqualTo(1));

                await Ticks.WriteAsync(app, ("ATW", 761m));
                var fastRow = Quote(await fast.WaitForAsync(b => Has(b, "ATW", 761m), "ATW at 761"), "ATW");
                var slowRow = Quote(await slow.WaitForAsync(b => Has(b, "ATW", 761m), "ATW at 761"), "ATW");
                Assert.That(slowRow, Is.SameAs(fastRow), "both consumers got the row of the same read");
                Assert.That(listener.Reads, Is.EqualTo(2), "one read for the batch, however many consumers");

                // The slow consumer is still busy with that batch; the fast one gets the next ones regardless.
                await Ticks.WriteAsync(app, ("ATW", 762m));
                await Ticks.WriteAsync(app, ("IAM", 122m));
                await Ticks.WriteAsync(app, ("ATW", 763m));
                await fast.WaitForAsync(b => Has(b, "ATW", 763m), "ATW at 763 while the slow consumer is busy");

                // What piled up for the slow one meanwhile is one batch with the latest quote per ticker.
                slow.Release();
                var piled = await slow.WaitForAsync(_ => true, "what piled up");
                Assert.That(piled.Quotes.Select(q => (q.Ticker, q.Last)), Is.EquivalentTo(new (string, decimal?)[] { ("ATW", 763m), ("IAM", 122m) }));
            }
            finally
            {
                slow.Release();
                await listener.StopAsync(CancellationToken.None);
            }
            return 0;
        });

    private static bool Has(QuoteBatch batch, string ticker, decimal last) => batch.Quotes.Any(q => q.Ticker == ticker && q.Last == last);

    private static QuoteRow Quote(QuoteBatch batch, string ticker) => batch.Quotes.Single(q => q.Ticker == ticker);

    /// <summary>A consumer that records every batch; a busy one does not return from a batch of ticks until released.</summary>
    private sealed class Recorder(bool busyOnTicks) : IQuoteBatchConsumer
    {
        private readonly Channel<QuoteBatch> _batches = Channel.CreateUnbounded<QuoteBatch>();
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task OnQuotesAsync(QuoteBatch batch, CancellationToken cancellationToken)
        {
            _batches.Writer.TryWrite(batch);
            if (busyOnTicks && !batch.Resync)
            {
                await _released.Task.WaitAsync(cancellationToken);
            }
        }

        public void Release() => _released.TrySetResult();

        /// <summary>The next batch received that matches (earlier ones are passed over).</summary>
        public async Task<QuoteBatch> WaitForAsync(Func<QuoteBatch, bool> match, string what)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                while (true)
                {
                    var batch = await _batches.Reader.ReadAsync(timeout.Token);
                    if (match(batch))
                    {
                        return batch;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting for {what}");
                throw;
            }
        }
    }
}
