using MarketWatch.Tests.Features.Trading;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Trading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace MarketWatch.Tests.Browser;

/// <summary>The leaderboard in a browser: putting one's own account on it and seeing it ranked, and the pages on a phone in English and Arabic.</summary>
public sealed class PaperLeaderboardTests : BrowserTest
{
    private async Task<(string Email, string UserId)> UserAsync(string prefix)
    {
        var email = NewEmail(prefix);
        await RegisterAsync(App.CreateClient(), email);
        return (email, (await App.FindUserAsync(email))!.Id);
    }

    /// <summary>Drops the kept rankings: each test sees the accounts it just wrote, not a ranking of up to a minute ago.</summary>
    private void ForgetRankings() => Leaderboard.Forget(App.Services.GetRequiredService<IMemoryCache>(), null);

    private async Task<int> AtwAsync() => (await SocialTesting.InstrumentAsync(App, "ATW")).Id;

    [Test]
    public async Task A_user_puts_an_account_on_the_leaderboard_and_sees_it_ranked_under_the_chosen_name_only()
    {
        var atw = await AtwAsync();
        var sessions = await SocialTesting.SessionsAsync(App, atw);
        var other = await UserAsync("rival");
        await SocialTesting.AccountAsync(App, other.UserId, "Rival account", 100_000m, sessions[^40], true, "Rival Falcon", null, (atw, 20));
        var (email, userId) = await UserAsync("optin");
        var account = await SocialTesting.AccountAsync(App, userId, "My practice", 100_000m, sessions[^20], buys: (atw, 30));
        ForgetRankings();
        await SignInAsync(Page, email);

        await Page.GotoAsync("/paper/leaderboard");
        await Expect(Page.GetByTestId("display-name").Filter(new() { HasText = "Rival Falcon" })).ToHaveCountAsync(1);
        var before = await Page.GetByTestId("leaderboard-row").CountAsync();
        var form = Page.Locator($"[data-testid=optin-form][data-account='{account}']");
        await Expect(form.GetByTestId("optin-check")).Not.ToBeCheckedAsync();

        // Opting in without a name is refused on the field.
        await form.GetByTestId("optin-check").CheckAsync();
        await form.GetByTestId("optin-save").ClickAsync();
        await Expect(Page.GetByTestId("optin-error")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("leaderboard-row")).ToHaveCountAsync(before);

        form = Page.Locator($"[data-testid=optin-form][data-account='{account}']");
        await form.GetByTestId("optin-check").CheckAsync();
        await form.GetByTestId("optin-name").FillAsync("Browser Bull");
        await form.GetByTestId("optin-save").ClickAsync();
        await Expect(Page.GetByTestId("status")).ToBeVisibleAsync();
        var mine = Page.Locator("tr.leaderboard-mine");
        await Expect(mine.GetByTestId("display-name")).ToContainTextAsync("Browser Bull");
        await Expect(mine.GetByTestId("mine")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("leaderboard-row")).ToHaveCountAsync(before + 1);
        await Expect(Page.Locator("main")).Not.ToContainTextAsync(other.Email);
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("Rival account");
        Assert.That(await App.WithDbAsync(db => db.PaperAccounts.Where(a => a.Id == account).Select(a => a.OnLeaderboard).SingleAsync()), Is.True);

        // The period tabs keep the account ranked.
        await Page.Locator("[data-period='1M']").ClickAsync();
        await Expect(Page.Locator("[data-period='1M']")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(Page.Locator("tr.leaderboard-mine").GetByTestId("display-name")).ToContainTextAsync("Browser Bull");
    }

    [TestCase("en")]
    [TestCase("ar")]
    public async Task On_a_phone_the_leaderboard_and_competitions_fit_without_sideways_scroll_and_pass_axe(string language)
    {
        var atw = await AtwAsync();
        var sessions = await SocialTesting.SessionsAsync(App, atw);
        var (email, userId) = await UserAsync("lb-phone");
        await SocialTesting.AccountAsync(App, userId, "A rather long paper account name for a small phone", 100_000m, sessions[^30], true,
            "A long display name to wrap", null, (atw, 40));
        var other = await UserAsync("lb-other");
        await SocialTesting.AccountAsync(App, other.UserId, "Other", 100_000m, sessions[^60], true, "Marrakech Momentum", null, (atw, 10));
        await App.WithDbAsync(async db =>
        {
            var today = Web.Features.Market.Calendar.ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow);
            db.PaperCompetitions.Add(new PaperCompetition
            {
                Name = "Spring challenge " + language, StartsOn = today, EndsOn = today.AddDays(30), StartingCash = 50_000m,
                Rules = "Five orders a day at most.\nNo penny stocks.", CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language));
            return await db.SaveChangesAsync();
        });
        ForgetRankings();
        await using var context = await NewPhoneContextAsync(language);
        var page = await context.NewPageAsync();
        var errors = new ConsoleErrors(page);
        await SignInAsync(page, email);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);

        await page.GotoAsync("/paper/leaderboard");
        await Expect(page.Locator("tr.leaderboard-mine")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("display-name").Filter(new() { HasText = "Marrakech Momentum" }).First).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);

        await page.GotoAsync("/paper/competitions");
        await Expect(page.GetByTestId("join-form").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("rules").First).ToContainTextAsync("No penny stocks.");
        await AssertNoSidewaysScrollAsync(page);
        await AssertNoSeriousAxeFindingsAsync(page);
        Assert.That(errors.Take(), Is.Empty);
    }
}
