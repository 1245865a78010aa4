using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// A competition's board measures from its first day to its last (not to today), and a ranking missing from the cache is
/// computed once however many requests ask for it at the same time (all three periods from one series per account).
/// </summary>
public sealed class LeaderboardWindowTests : AppTest
{
    private int _instrument;
    private List<DateOnly> _sessions = [];

    [OneTimeSetUp]
    public async Task SeedAsync()
    {
        _instrument = await App.WithDbAsync(db => db.Instruments.AsNoTracking().Where(i => i.IsActive).OrderBy(i => i.Ticker).Select(i => i.Id).FirstAsync());
        _sessions = await SocialTesting.SessionsAsync(App, _instrument);
    }

    private async Task<LeaderboardRanking> RankAsync(LeaderboardPeriod period, int? competitionId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Leaderboard>().RankAsync(period, competitionId, CancellationToken.None);
    }

    [Test]
    public async Task A_finished_competition_ranks_its_accounts_up_to_its_last_day_only()
    {
        var (starts, ends) = (_sessions[^60], _sessions[^20]);
        var competitionId = await App.WithDbAsync(async db =>
        {
            var competition = new PaperCompetition { Name = "Autumn cup", StartsOn = starts, EndsOn = ends, StartingCash = 100_000m, CreatedAt = DateTimeOffset.UtcNow };
            db.PaperCompetitions.Add(competition);
            await db.SaveChangesAsync();
            return competition.Id;
        });
        var email = NewEmail("cup");
        await RegisterAsync(Client(), email);
        var userId = (await App.FindUserAsync(email))!.Id;
        var (opened, atEnd, latest) = await App.WithDbAsync(async db => (
            await SocialTesting.CloseAsync(db, _instrument, starts), await SocialTesting.CloseAsync(db, _instrument, ends),
            await SocialTesting.CloseAsync(db, _instrument, _sessions[^1])));
        var quantity = (long)(50_000m / opened);
        var account = await SocialTesting.AccountAsync(App, userId, "Cup account", 100_000m, starts, true, "Cup Runner", competitionId, (_instrument, quantity));
        Assume.That(latest, Is.Not.EqualTo(atEnd), "the price moved after the competition ended");

        var entry = (await RankAsync(LeaderboardPeriod.All, competitionId)).Entries.Single(e => e.AccountId == account);

        var expected = quantity * (atEnd - opened) / 100_000m;
        Assert.That((double)entry.Return!.Value, Is.EqualTo((double)expected).Within(1e-6), "measured from the first day to the last day");
        Assert.That(entry.From, Is.EqualTo(starts));
        var sinceOpening = (await RankAsync(LeaderboardPeriod.All, null)).Entries.Single(e => e.AccountId == account);
        Assert.That((double)sinceOpening.Return!.Value, Is.EqualTo((double)(quantity * (latest - opened) / 100_000m)).Within(1e-6),
            "the general board still measures the account to today");
    }

    [Test]
    public async Task Concurrent_requests_for_a_missing_ranking_share_one_computation_of_every_period()
    {
        var email = NewEmail("busy");
        await RegisterAsync(Client(), email);
        var userId = (await App.FindUserAsync(email))!.Id;
        await SocialTesting.AccountAsync(App, userId, "Busy account", 100_000m, _sessions[^30], true, "Busy Bee", null, (_instrument, 100));
        Leaderboard.Forget(App.Services.GetRequiredService<IMemoryCache>(), null);

        var periods = Enumerable.Range(0, 12).Select(i => LeaderboardPeriods.All[i % 3]).ToArray();
        var rankings = await Task.WhenAll(periods.Select(p => Task.Run(() => RankAsync(p, null))));

        Assert.That(rankings.Select(r => r.ComputedAt).Distinct().Count(), Is.EqualTo(1), "one computation answered every request, of every period");
        foreach (var group in rankings.GroupBy(r => r.Period))
        {
            Assert.That(group.All(r => ReferenceEquals(r, group.First())), Is.True, $"{group.Key}: the same kept ranking");
        }
    }
}
