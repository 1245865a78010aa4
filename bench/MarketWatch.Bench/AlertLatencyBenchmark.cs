using MarketWatch.Web.Host;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using NotificationChannel = MarketWatch.Web.Features.Notifications.Channel;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using MarketWatch.Tests.Infrastructure;
using Npgsql;

namespace MarketWatch.Bench;

/// <summary>
/// Tick to claimed, in the real app (child process: its engine LISTENs to the ingest, evaluates, claims): N alerts
/// on one instrument cross at once; from the ingest write to the claim's commit (its user_notifications NOTIFY,
/// then the firings counted in alert_firings), and to the e-mail of one of them accepted by a loopback SMTP server.
/// </summary>
public static class AlertLatencyBenchmark
{
    public static async Task RunAsync(BenchEnvironment bench, int alerts, int repetitions, double queuePollSeconds)
    {
        var services = bench.App.Services;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        await using (var clear = dataSource.CreateCommand("TRUNCATE alerts CASCADE"))
        {
            await clear.ExecuteNonQueryAsync();
        }
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await bench.StartServerAsync(new Dictionary<string, string>
        {
            ["Jobs__Server"] = "true",
            ["Jobs__QueuePollSeconds"] = queuePollSeconds.ToString(CultureInfo.InvariantCulture),
            ["Smtp__Host"] = "127.0.0.1",
            ["Smtp__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp__Security"] = "None",
            // Production settings: links in the alert e-mail need the public address, as in a real deployment.
            ["App__BaseUrl"] = "https://marketwatch.example",
        });

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = "bench-latency@example.com", Email = "bench-latency@example.com", EmailConfirmed = true, DisplayName = "Bench", CreatedAt = DateTimeOffset.UtcNow };
        if (!(await users.CreateAsync(user)).Succeeded)
        {
            throw new InvalidOperationException("Could not create the bench user.");
        }
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<QuoteStore>();
        var now = DateTimeOffset.UtcNow;
        var snapshot = await MarketState.LoadAsync(db, ExchangeCalendar.ExchangeDate(now), CancellationToken.None);
        var normalizer = new TickNormalizer(snapshot.Select(s => new InstrumentState(s.Instrument.Id, s.Instrument.Ticker, s.LastClose, s.LastCloseDate, s.Quote)));
        var instrument = snapshot.OrderBy(s => s.Instrument.Ticker, StringComparer.Ordinal).First();
        var level = Math.Round((instrument.Quote?.Last ?? instrument.LastClose ?? instrument.Instrument.ReferencePrice) * 1.01m, 2);
        var below = level - 0.05m;
        var above = level + 0.05m;

        // N alerts "crosses up" on one instrument, fire once, around the clock; the first also by e-mail.
        await using (var insert = dataSource.CreateCommand($"""
            INSERT INTO alerts (user_id, instrument_id, condition, level, trigger_mode, cooldown_minutes, channels, session_only, status, created_at, updated_at)
            SELECT @user, @instrument, {(int)AlertCondition.CrossesUp}, @level, {(int)TriggerMode.Once}, 0,
                   CASE WHEN g = 1 THEN ARRAY[{(int)NotificationChannel.InApp}, {(int)NotificationChannel.Email}] ELSE ARRAY[{(int)NotificationChannel.InApp}] END,
                   false, {(int)AlertStatus.Active}, now(), now()
            FROM generate_series(1, @n) g;
            INSERT INTO alert_targets (alert_id, instrument_id, state, armed_price, armed_at, fired_count)
            SELECT id, instrument_id, {(int)TargetState.Armed}, @below, now(), 0 FROM alerts;
            """))
        {
            insert.Parameters.AddWithValue("user", user.Id);
            insert.Parameters.AddWithValue("instrument", instrument.Instrument.Id);
            insert.Parameters.AddWithValue("level", level);
            insert.Parameters.AddWithValue("below", below);
            insert.Parameters.AddWithValue("n", alerts);
            await insert.ExecuteNonQueryAsync();
        }
        long[] ids;
        await using (var read = dataSource.CreateCommand("SELECT id FROM alerts"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            var list = new List<long>();
            while (await reader.ReadAsync())
            {
                list.Add(reader.GetInt64(0));
            }
            ids = [.. list];
        }

        // The claim's commit is announced on user_notifications: timed when this listener receives it.
        await using var listener = await dataSource.OpenConnectionAsync();
        var commits = Channel.CreateUnbounded<long>();
        listener.Notification += (_, e) =>
        {
            if (e.Channel == MarketWatch.Web.Features.Notifications.NotificationOutbox.UserNotificationsChannel)
            {
                commits.Writer.TryWrite(Stopwatch.GetTimestamp());
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {MarketWatch.Web.Features.Notifications.NotificationOutbox.UserNotificationsChannel}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        using var stop = new CancellationTokenSource();
        var pump = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await listener.WaitAsync(stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        try
        {
            await MeasureAsync();
        }
        finally
        {
            await stop.CancelAsync();
            await pump;
        }
        return;

        async Task MeasureAsync()
        {
            async Task WriteAsync(decimal price)
            {
                var (ticks, _) = normalizer.Normalize([new ProviderQuote(instrument.Instrument.Ticker, price, DateTimeOffset.UtcNow)], "Bench");
                await store.WriteAsync(ticks, CancellationToken.None);
            }

            var write = new List<double>();
            var claimed = new List<double>();
            var email = new List<double>();
            var bySource = new Dictionary<string, int>();
            long lastFiring = 0;
            for (var rep = 0; rep < repetitions; rep++)
            {
                // Below the level first (so nothing holds for the sweep either), then re-arm all N and tell the engine.
                await WriteAsync(below);
                await Task.Delay(200);
                await using (var connection = await dataSource.OpenConnectionAsync())
                {
                    await using (var reset = new NpgsqlCommand($"""
                    UPDATE alerts SET status = {(int)AlertStatus.Active}, last_fired_at = NULL;
                    UPDATE alert_targets SET state = {(int)TargetState.Armed}, rearm_at = NULL, armed_price = @below, armed_at = now();
                    """, connection))
                    {
                        reset.Parameters.AddWithValue("below", below);
                        await reset.ExecuteNonQueryAsync();
                    }
                    await AlertEngine.NotifyChangedAsync(connection, ids, CancellationToken.None);
                }
                await Task.Delay(800);
                while (commits.Reader.TryRead(out _))
                {
                }
                var mails = smtp.Accepted.Count;

                var started = Stopwatch.GetTimestamp();
                await WriteAsync(above);
                write.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                var fired = 0;
                double? done = null;
                while (fired < alerts)
                {
                    var at = await commits.Reader.ReadAsync(timeout.Token);
                    await using var count = dataSource.CreateCommand("SELECT source, count(*), max(id) FROM alert_firings WHERE id > @last GROUP BY source");
                    count.Parameters.AddWithValue("last", lastFiring);
                    fired = 0;
                    await using var reader = await count.ExecuteReaderAsync();
                    var sources = new Dictionary<string, int>();
                    long max = lastFiring;
                    while (await reader.ReadAsync())
                    {
                        sources[reader.GetString(0)] = (int)reader.GetInt64(1);
                        fired += (int)reader.GetInt64(1);
                        max = Math.Max(max, reader.GetInt64(2));
                    }
                    if (fired >= alerts)
                    {
                        done = Stopwatch.GetElapsedTime(started, at).TotalMilliseconds;
                        lastFiring = max;
                        foreach (var (source, n) in sources)
                        {
                            bySource[source] = bySource.GetValueOrDefault(source) + n;
                        }
                    }
                }
                claimed.Add(done!.Value);
                while (smtp.Accepted.Count <= mails)
                {
                    await Task.Delay(5, timeout.Token);
                }
                email.Add(Stopwatch.GetElapsedTime(started, smtp.Accepted.ToArray()[mails]).TotalMilliseconds);
            }

            static string Stats(List<double> values)
            {
                var sorted = values.Order().ToList();
                return string.Create(CultureInfo.InvariantCulture,
                    $"{sorted[sorted.Count / 2]:0.0} | {sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)]:0.0} | {sorted[^1]:0.0}");
            }
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Tick to claimed in the real app: {alerts:N0} alerts crossing up on {instrument.Instrument.Ticker} at once, {repetitions} repetitions " +
                $"(Jobs:QueuePollSeconds = {queuePollSeconds}); firings by source: {string.Join(", ", bySource.Select(s => $"{s.Key} {s.Value:N0}"))}"));
            Console.WriteLine("| from the ingest write (QuoteStore.WriteAsync) to | p50 (ms) | p99 (ms) | max (ms) |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            Console.WriteLine($"| the write returning (stored, NOTIFY market_quotes sent) | {Stats(write)} |");
            Console.WriteLine($"| all {alerts:N0} firings committed (claim's NOTIFY received; rows counted in alert_firings) | {Stats(claimed)} |");
            Console.WriteLine($"| the e-mail of one of them accepted by a loopback SMTP server (Hangfire job) | {Stats(email)} |");
        }
    }
}
