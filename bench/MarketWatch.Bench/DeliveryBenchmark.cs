using System.Diagnostics;
using System.Globalization;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Host;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using NotificationChannel = MarketWatch.Web.Features.Notifications.Channel;

namespace MarketWatch.Bench;

/// <summary>
/// A big firing, tick to delivered, in the real app (child process, Production settings): N alerts of U users on one
/// instrument cross at once, each by in-app and e-mail; from the ingest write to the last of the N e-mails accepted by
/// a loopback SMTP server (the outbox dispatcher sends them; e-mail is one destination, at most
/// <c>Delivery:ChannelConcurrency</c> at once).
/// </summary>
public static class DeliveryBenchmark
{
    public static async Task RunAsync(BenchEnvironment bench, int alerts, int userCount, int repetitions)
    {
        var services = bench.App.Services;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await bench.StartServerAsync(new Dictionary<string, string>
        {
            ["Smtp__Host"] = "127.0.0.1",
            ["Smtp__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp__Security"] = "None",
            ["App__BaseUrl"] = "https://marketwatch.example",
        });

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var ids = new List<string>();
        for (var u = 0; u < userCount; u++)
        {
            var email = $"bench-delivery-{u}@example.com";
            var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Bench", CreatedAt = DateTimeOffset.UtcNow };
            if (!(await users.CreateAsync(user)).Succeeded)
            {
                throw new InvalidOperationException("Could not create a bench user.");
            }
            db.Add(new NotificationPreferences { UserId = user.Id, EmailDailyCap = NotificationPreferences.MaxDailyCap });
            ids.Add(user.Id);
        }
        await db.SaveChangesAsync();

        var store = scope.ServiceProvider.GetRequiredService<QuoteStore>();
        var snapshot = await MarketState.LoadAsync(db, ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow), CancellationToken.None);
        var normalizer = new TickNormalizer(snapshot.Select(s => new InstrumentState(s.Instrument.Id, s.Instrument.Ticker, s.LastClose, s.LastCloseDate, s.Quote)));
        var instrument = snapshot.OrderBy(s => s.Instrument.Ticker, StringComparer.Ordinal).Last();
        var level = Math.Round((instrument.Quote?.Last ?? instrument.LastClose ?? instrument.Instrument.ReferencePrice) * 1.01m, 2);
        var below = level - 0.05m;
        var above = level + 0.05m;
        await using (var insert = dataSource.CreateCommand($"""
            INSERT INTO alerts (user_id, instrument_id, condition, level, trigger_mode, cooldown_minutes, channels, session_only, status, created_at, updated_at)
            SELECT (@users)[1 + g % array_length(@users, 1)], @instrument, {(int)AlertCondition.CrossesUp}, @level, {(int)TriggerMode.Once}, 0,
                   ARRAY[{(int)NotificationChannel.InApp}, {(int)NotificationChannel.Email}], false, {(int)AlertStatus.Active}, now(), now()
            FROM generate_series(1, @n) g;
            INSERT INTO alert_targets (alert_id, instrument_id, state, armed_price, armed_at, fired_count)
            SELECT id, instrument_id, {(int)TargetState.Armed}, @below, now(), 0 FROM alerts WHERE user_id = ANY(@users);
            """))
        {
            insert.Parameters.AddWithValue("users", ids.ToArray());
            insert.Parameters.AddWithValue("instrument", instrument.Instrument.Id);
            insert.Parameters.AddWithValue("level", level);
            insert.Parameters.AddWithValue("below", below);
            insert.Parameters.AddWithValue("n", alerts);
            await insert.ExecuteNonQueryAsync();
        }

        async Task WriteAsync(decimal price)
        {
            var (ticks, _) = normalizer.Normalize([new ProviderQuote(instrument.Instrument.Ticker, price, DateTimeOffset.UtcNow)], "Bench");
            await store.WriteAsync(ticks, CancellationToken.None);
        }

        var firstMail = new List<double>();
        var half = new List<double>();
        var allMail = new List<double>();
        for (var rep = 0; rep < repetitions; rep++)
        {
            // Below the level, a fresh outbox (the daily caps count from zero), every alert re-armed and the engine told.
            await WriteAsync(below);
            await Task.Delay(200);
            await using (var connection = await dataSource.OpenConnectionAsync())
            {
                await using (var reset = new NpgsqlCommand($"""
                    TRUNCATE deliveries, notifications;
                    UPDATE alerts SET status = {(int)AlertStatus.Active}, last_fired_at = NULL;
                    UPDATE alert_targets SET state = {(int)TargetState.Armed}, rearm_at = NULL, armed_price = @below, armed_at = now();
                    """, connection))
                {
                    reset.Parameters.AddWithValue("below", below);
                    await reset.ExecuteNonQueryAsync();
                }
                var alertIds = new List<long>();
                await using (var read = new NpgsqlCommand("SELECT id FROM alerts", connection))
                await using (var reader = await read.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        alertIds.Add(reader.GetInt64(0));
                    }
                }
                await AlertEngine.NotifyChangedAsync(connection, alertIds, CancellationToken.None);
            }
            await Task.Delay(1000);
            var before = smtp.Accepted.Count;

            var started = Stopwatch.GetTimestamp();
            await WriteAsync(above);
            var deadline = Stopwatch.StartNew();
            while (smtp.Accepted.Count - before < alerts)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(3))
                {
                    throw new TimeoutException($"only {smtp.Accepted.Count - before} of {alerts} e-mails after 3 minutes");
                }
                await Task.Delay(10);
            }
            var accepted = smtp.Accepted.ToArray()[before..].Order().ToArray();
            firstMail.Add(Stopwatch.GetElapsedTime(started, accepted[0]).TotalMilliseconds);
            half.Add(Stopwatch.GetElapsedTime(started, accepted[accepted.Length / 2]).TotalMilliseconds);
            allMail.Add(Stopwatch.GetElapsedTime(started, accepted[alerts - 1]).TotalMilliseconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"repetition {rep + 1}: last of {alerts:N0} e-mails after {allMail[^1]:0} ms"));
        }

        static string Stats(List<double> values)
        {
            var sorted = values.Order().ToList();
            return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:0} | {sorted[^1]:0}");
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Tick to delivered, real app: {alerts:N0} alerts of {userCount} users crossing up on {instrument.Instrument.Ticker} at once, in-app + e-mail each, {repetitions} repetitions"));
        Console.WriteLine("| from the ingest write to | median (ms) | max (ms) |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| the first e-mail accepted by the loopback SMTP server | {Stats(firstMail)} |");
        Console.WriteLine($"| half of the e-mails accepted | {Stats(half)} |");
        Console.WriteLine($"| all {alerts:N0} e-mails accepted | {Stats(allMail)} |");
    }
}
