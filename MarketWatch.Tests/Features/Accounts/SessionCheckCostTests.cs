using System.Diagnostics;
using System.Net;
using MarketWatch.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace MarketWatch.Tests.Features.Accounts;

/// <summary>
/// What the server-side session check costs: with a cache window, one query per account per window, however many
/// requests; with none (window 0), one per request. Prints a measured: line (mean time per request, both ways).
/// </summary>
public sealed class SessionCheckCostTests : AppTest
{
    private const string Category = "MarketWatch.Web.Features.Accounts.UserSessions";
    private const int Requests = 200;
    private const int WarmUp = 20;
    private const int Rounds = 5;
    private readonly LogRecorder _log = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Accounts:SessionCheckSeconds"] = "0" };

    protected override Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureApp => builder => builder.ConfigureLogging(logging =>
    {
        logging.AddProvider(_log);
        logging.AddFilter(Category, LogLevel.Debug);
    });

    [Test]
    public async Task Many_requests_in_one_window_cost_one_session_query()
    {
        var email = NewEmail("cost");
        await RegisterAsync(Client(), email);
        var uncached = Client();
        await SignInAsync(uncached, email);
        var userId = (await App.FindUserAsync(email))!.Id;

        // The fixture's app reads every request (window 0); a second instance keeps what it read for 600 s.
        var cachedLog = new LogRecorder();
        await using var cachedApp = new MarketWatchFactory(DatabaseName,
            settings: new Dictionary<string, string?> { ["Accounts:SessionCheckSeconds"] = "600" },
            configure: builder => builder.ConfigureLogging(logging =>
            {
                logging.AddProvider(cachedLog);
                logging.AddFilter(Category, LogLevel.Debug);
            }));
        var cached = cachedApp.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await SignInAsync(cached, email);

        // Both warm, then rounds in turn, so the machine's other work falls on both alike.
        await RequestAsync(cached, WarmUp);
        await RequestAsync(uncached, WarmUp);
        var (withWindow, withoutWindow) = (TimeSpan.Zero, TimeSpan.Zero);
        for (var round = 0; round < Rounds; round++)
        {
            withWindow += await RequestAsync(cached, Requests / Rounds);
            withoutWindow += await RequestAsync(uncached, Requests / Rounds);
        }

        Assert.That(Lookups(cachedLog, userId), Is.EqualTo(1), $"{WarmUp + Requests} requests in one window");
        Assert.That(Lookups(_log, userId), Is.EqualTo(WarmUp + Requests), "window 0: one per request");
        await TestContext.Out.WriteLineAsync(
            $"measured: GET /account/manage/email x{Requests}, in-process, loopback PostgreSQL: {withWindow.TotalMilliseconds / Requests:0.00} ms/request "
            + $"with a 600 s window (1 session query), {withoutWindow.TotalMilliseconds / Requests:0.00} ms/request with window 0 ({WarmUp + Requests} session queries)");
    }

    private static int Lookups(LogRecorder log, string userId) =>
        log.Entries.Count(e => e.Category == Category && Equals(e.State.GetValueOrDefault("UserId"), userId));

    private static async Task<TimeSpan> RequestAsync(HttpClient client, int count)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            Assert.That((await client.GetAsync("/account/manage/email")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        return watch.Elapsed;
    }
}
