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
    private readonly LogRecorder _log = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Accounts:SessionCheckSeconds"] = "600" };

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
        var client = Client();
        await SignInAsync(client, email);
        var userId = (await App.FindUserAsync(email))!.Id;

        var cached = await TimeAsync(client);
        Assert.That(Lookups(userId), Is.EqualTo(1), $"{WarmUp + Requests} requests in one window");

        var uncachedLog = new LogRecorder();
        await using var uncachedApp = new MarketWatchFactory(DatabaseName,
            settings: new Dictionary<string, string?> { ["Accounts:SessionCheckSeconds"] = "0" },
            configure: builder => builder.ConfigureLogging(logging =>
            {
                logging.AddProvider(uncachedLog);
                logging.AddFilter(Category, LogLevel.Debug);
            }));
        var uncachedClient = uncachedApp.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await SignInAsync(uncachedClient, email);
        var uncached = await TimeAsync(uncachedClient);
        Assert.That(uncachedLog.Entries.Count(e => e.Category == Category && Equals(e.State.GetValueOrDefault("UserId"), userId)), Is.EqualTo(WarmUp + Requests));

        await TestContext.Out.WriteLineAsync(
            $"measured: GET /account/manage/email x{Requests}, in-process, loopback PostgreSQL: {cached.TotalMilliseconds / Requests:0.00} ms/request with a 600 s window (1 session query), "
            + $"{uncached.TotalMilliseconds / Requests:0.00} ms/request with window 0 ({Requests} session queries)");
    }

    private int Lookups(string userId) => _log.Entries.Count(e => e.Category == Category && Equals(e.State.GetValueOrDefault("UserId"), userId));

    private static async Task<TimeSpan> TimeAsync(HttpClient client)
    {
        for (var i = 0; i < WarmUp; i++)
        {
            Assert.That((await client.GetAsync("/account/manage/email")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "warm-up");
        }
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            Assert.That((await client.GetAsync("/account/manage/email")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        return watch.Elapsed;
    }
}
