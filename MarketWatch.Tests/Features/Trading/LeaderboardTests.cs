using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// The leaderboard against the simulated market's daily bars: opted-in accounts only, ranked by time-weighted return over
/// 1M, 3M and since the run start, each return worked out here by hand from the closes (no flow after the opening: the
/// TWR is the value's move from the base session), display names only.
/// </summary>
public sealed partial class LeaderboardTests : AppTest
{
    private sealed record Seeded(string Email, string UserId, int AccountId, string DisplayName, DateOnly OpenedOn, decimal Cash, (int Id, long Quantity)[] Buys);

    private readonly List<Seeded> _onBoard = [];
    private Seeded _hidden = null!;
    private List<DateOnly> _sessions = [];

    [OneTimeSetUp]
    public async Task SeedAsync()
    {
        var instruments = await App.WithDbAsync(db => db.Instruments.AsNoTracking().Where(i => i.IsActive).OrderBy(i => i.Ticker).Select(i => i.Id).Take(4).ToListAsync());
        _sessions = await SocialTesting.SessionsAsync(App, instruments[0]);
        // Two opened long ago (before 3M), one within the month, one that did not opt in.
        var plans = new (string Name, int OpenedAgo, (int, long)[] Buys, bool OnBoard)[]
        {
            ("Atlas Trader", 120, [(instruments[0], 300)], true),
            ("Sahara Fund", 120, [(instruments[1], 200), (instruments[2], 100)], true),
            ("Rif Learner", 8, [(instruments[3], 250)], true),
            ("Hidden Whale", 120, [(instruments[2], 400)], false),
        };
        foreach (var (name, ago, buys, onBoard) in plans)
        {
            var email = NewEmail("board");
            await RegisterAsync(Client(), email);
            var userId = (await App.FindUserAsync(email))!.Id;
            var openedOn = _sessions[^ago];
            var sized = await App.WithDbAsync(async db =>
            {
                var list = new List<(int, long)>();
                foreach (var (id, q) in buys)
                {
                    // Keep every buy within the deposit: at most 20,000 MAD each.
                    var close = await SocialTesting.CloseAsync(db, id, openedOn);
                    list.Add((id, Math.Max(1, Math.Min(q, (long)(20_000m / close)))));
                }
                return list.ToArray();
            });
            var account = await SocialTesting.AccountAsync(App, userId, name + " account", 100_000m, openedOn, onBoard, name, null, sized);
            var seeded = new Seeded(email, userId, account, name, openedOn, 100_000m, sized);
            if (onBoard)
            {
                _onBoard.Add(seeded);
            }
            else
            {
                _hidden = seeded;
            }
        }
    }

    /// <summary>The account's value at a session's close: the cash left plus the shares at that close.</summary>
    private async Task<decimal> ValueAsync(Seeded s, DateOnly date) => await App.WithDbAsync(async db =>
    {
        var value = s.Cash;
        foreach (var (id, q) in s.Buys)
        {
            var opened = await SocialTesting.CloseAsync(db, id, s.OpenedOn);
            value += q * (await SocialTesting.CloseAsync(db, id, date) - opened);
        }
        return value;
    });

    /// <summary>By hand: the base is the last session on or before the period's start, not before the opening.</summary>
    private async Task<decimal> ExpectedAsync(Seeded s, LeaderboardPeriod period)
    {
        var today = ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
        var start = period.StartOn(today);
        var baseDate = start is { } from && _sessions.Last(d => d <= from) is var b && b > s.OpenedOn ? b : s.OpenedOn;
        return await ValueAsync(s, _sessions[^1]) / await ValueAsync(s, baseDate) - 1;
    }

    private async Task<LeaderboardRanking> RankAsync(LeaderboardPeriod period)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Leaderboard>().RankAsync(period, null, CancellationToken.None);
    }

    [TestCase(LeaderboardPeriod.M1)]
    [TestCase(LeaderboardPeriod.M3)]
    [TestCase(LeaderboardPeriod.All)]
    public async Task Accounts_are_ranked_by_time_weighted_return_over_the_period(LeaderboardPeriod period)
    {
        var expected = new List<(string Name, decimal Return)>();
        foreach (var s in _onBoard)
        {
            expected.Add((s.DisplayName, await ExpectedAsync(s, period)));
        }
        expected = expected.OrderByDescending(e => e.Return).ToList();

        var ranking = await RankAsync(period);
        Assert.That(ranking.Entries.Select(e => e.DisplayName), Is.EqualTo(expected.Select(e => e.Name)), "ranked best first");
        Assert.That(ranking.Entries.Select(e => e.Rank), Is.EqualTo(new[] { 1, 2, 3 }));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.That((double)ranking.Entries[i].Return!.Value, Is.EqualTo((double)expected[i].Return).Within(1e-6), expected[i].Name);
        }

        // The page shows the same order, with the period's tab current.
        var client = Client();
        var viewer = NewEmail("viewer");
        await RegisterAsync(client, viewer, displayName: "Board Viewer");
        await SignInAsync(client, viewer);
        var html = await client.GetStringAsync($"/paper/leaderboard?period={period.Code()}");
        Assert.That(DisplayNames().Matches(html).Select(m => m.Groups[1].Value.Trim()), Is.EqualTo(expected.Select(e => e.Name)));
        Assert.That(html, Does.Match($"aria-current=\"page\" data-period=\"{period.Code()}\""));
    }

    [Test]
    public async Task Since_the_start_differs_from_a_month_for_an_account_older_than_the_month()
    {
        var atlas = _onBoard[0];
        var all = (await RankAsync(LeaderboardPeriod.All)).Entries.Single(e => e.AccountId == atlas.AccountId);
        var month = (await RankAsync(LeaderboardPeriod.M1)).Entries.Single(e => e.AccountId == atlas.AccountId);
        Assert.That(all.From, Is.EqualTo(atlas.OpenedOn), "all: from the run start");
        Assert.That(month.From, Is.GreaterThan(atlas.OpenedOn), "1M: from a month ago");
        var rif = (await RankAsync(LeaderboardPeriod.M3)).Entries.Single(e => e.DisplayName == "Rif Learner");
        Assert.That(rif.From, Is.EqualTo(_onBoard[2].OpenedOn), "an account younger than the period counts from its opening");
    }

    [Test]
    public async Task Only_accounts_that_opted_in_appear_under_their_display_name_and_no_email_ever()
    {
        var client = Client();
        var viewer = NewEmail("viewer");
        await RegisterAsync(client, viewer, displayName: "Board Viewer");
        await SignInAsync(client, viewer);
        foreach (var period in LeaderboardPeriods.All)
        {
            var html = await client.GetStringAsync($"/paper/leaderboard?period={period.Code()}");
            Assert.That(html, Does.Not.Contain(_hidden.DisplayName), "not opted in");
            Assert.That(html, Does.Not.Contain("Hidden Whale account").And.Not.Contain("Atlas Trader account"), "the account's own name is not shown either");
            foreach (var s in _onBoard.Append(_hidden))
            {
                Assert.That(html, Does.Not.Contain(s.Email).And.Not.Contain(s.Email.Split('@')[0]), "another user's email never appears");
            }
            Assert.That(html, Does.Not.Contain("Test Investor"), "nor the users' own names");
        }
    }

    [Test]
    public async Task The_signed_in_users_own_row_is_marked()
    {
        var client = Client();
        await SignInAsync(client, _onBoard[1].Email);
        var html = await client.GetStringAsync("/paper/leaderboard");
        var mine = Regex.Matches(html, "<tr class=\"leaderboard-mine\"[^>]*data-account=\"(\\d+)\"").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.That(mine, Is.EqualTo(new[] { _onBoard[1].AccountId }));
        Assert.That(Regex.Matches(html, "data-testid=\"mine\"").Count, Is.EqualTo(1));
        var rows = Regex.Matches(html, "<tr[^>]*data-testid=\"leaderboard-row\"[^>]*>").Select(m => m.Value).ToList();
        Assert.That(rows.Count(r => Regex.IsMatch(r, "data-account=\"\\d")), Is.EqualTo(1), "only the reader's own row carries an account id: " + string.Join(" | ", rows));
    }

    [Test]
    public async Task An_anonymous_visitor_is_sent_to_sign_in()
    {
        var response = await Client().GetAsync("/paper/leaderboard");
        Assert.That((int)response.StatusCode, Is.EqualTo(302));
        Assert.That(response.Headers.Location?.ToString(), Does.Contain("/account/login"));
    }

    [GeneratedRegex("data-testid=\"display-name\">([^<]+)<")]
    private static partial Regex DisplayNames();
}
