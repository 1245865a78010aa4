using System.Net;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>Following a shared watchlist: the follower's "Following" list, the owner's count, and the notices of additions.</summary>
public sealed class SocialFollowTests : AppTest
{
    private sealed record Member(HttpClient Client, string UserId, int ListId);

    private async Task<Member> MemberAsync(string prefix)
    {
        var client = Client();
        var email = NewEmail(prefix);
        await RegisterAsync(client, email);
        await SignInAsync(client, email);
        var (userId, listId) = await App.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == email);
            return (user.Id, await db.Set<Watchlist>().Where(w => w.UserId == user.Id).Select(w => w.Id).SingleAsync());
        });
        return new Member(client, userId, listId);
    }

    private static Task<HttpResponseMessage> ListPostAsync(Member member, string action, Dictionary<string, string> fields) =>
        PostFormAsync(member.Client, "/watchlists", fields, action);

    private static Task<HttpResponseMessage> FollowPostAsync(Member member, string token, string handler, Dictionary<string, string>? fields = null) =>
        PostFormAsync(member.Client, $"/w/{token}", fields ?? new Dictionary<string, string>(), $"/w/{token}?handler={handler}");

    /// <summary>An owner's shared list and a member following it (notices on).</summary>
    private async Task<(Member Owner, string Token, Member Follower)> SharedAndFollowedAsync()
    {
        var owner = await MemberAsync("owner");
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/share", new() { ["shared"] = "true" });
        var token = await App.WithDbAsync(db => db.Set<Watchlist>().Where(w => w.Id == owner.ListId).Select(w => w.ShareToken).SingleAsync());
        var follower = await MemberAsync("follower");
        await FollowPostAsync(follower, token!, "Follow");
        return (owner, token!, follower);
    }

    private Task<int> NoticesAsync(string userId) =>
        App.WithDbAsync(db => db.Set<InAppNotification>().CountAsync(n => n.UserId == userId && n.EventSource == 2));

    [Test]
    public async Task A_follower_sees_the_list_under_following_the_owner_sees_a_count_and_notices_reach_only_those_who_asked()
    {
        var owner = await MemberAsync("owner");
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/add", new() { ["ticker"] = "ATW" });
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/share", new() { ["shared"] = "true" });
        var token = await App.WithDbAsync(db => db.Set<Watchlist>().Where(w => w.Id == owner.ListId).Select(w => w.ShareToken).SingleAsync());

        var follower = await MemberAsync("follower");
        var quiet = await MemberAsync("quiet");
        Assert.That(await follower.Client.GetStringAsync($"/w/{token}"), Does.Contain("data-testid=\"follow-button\""));
        Assert.That((await FollowPostAsync(follower, token!, "Follow")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That((await FollowPostAsync(follower, token!, "Follow")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "twice is one follow");
        await FollowPostAsync(quiet, token!, "Follow");
        await FollowPostAsync(quiet, token!, "Notify", new() { ["notify"] = "false" });
        // The owner cannot follow their own list (and is offered no button).
        Assert.That(await owner.Client.GetStringAsync($"/w/{token}"), Does.Not.Contain("data-testid=\"follow-button\""));
        await FollowPostAsync(owner, token!, "Follow");

        var mine = await follower.Client.GetStringAsync("/watchlists");
        Assert.That(mine, Does.Contain("data-testid=\"following\"").And.Contain($"/w/{token}"));
        Assert.That(await owner.Client.GetStringAsync("/watchlists"), Does.Contain("data-testid=\"follower-count\">2 following<"));
        Assert.That(await App.WithDbAsync(db => db.Set<WatchlistFollow>().CountAsync(f => f.WatchlistId == owner.ListId)), Is.EqualTo(2));

        // The owner adds a stock: one notice for the follower who asked, none for the quiet one nor the owner.
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/add", new() { ["ticker"] = "IAM" });
        Assert.That(await NoticesAsync(follower.UserId), Is.EqualTo(1));
        Assert.That(await NoticesAsync(quiet.UserId), Is.Zero);
        Assert.That(await NoticesAsync(owner.UserId), Is.Zero);
        // A refused addition (already in the list) tells nobody.
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/add", new() { ["ticker"] = "IAM" });
        Assert.That(await NoticesAsync(follower.UserId), Is.EqualTo(1));
        var centre = System.Net.WebUtility.HtmlDecode(await follower.Client.GetStringAsync("/notifications"));
        Assert.That(centre, Does.Contain("IAM was added to My watchlist"));

        // Unfollowing stops them.
        await FollowPostAsync(follower, token!, "Unfollow");
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/add", new() { ["ticker"] = "BCP" });
        Assert.That(await NoticesAsync(follower.UserId), Is.EqualTo(1));
        Assert.That(await follower.Client.GetStringAsync("/watchlists"), Does.Not.Contain($"/w/{token}"));
    }

    [Test]
    public async Task A_notice_stays_when_the_owner_takes_the_stock_out_again_and_goes_with_the_link()
    {
        var (owner, token, follower) = await SharedAndFollowedAsync();
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/add", new() { ["ticker"] = "IAM" });
        Assert.That(await NoticesAsync(follower.UserId), Is.EqualTo(1));

        // The owner changes their mind: what the follower was told is still there, worded and linked as before.
        Assert.That((await ListPostAsync(owner, $"/watchlists/{owner.ListId}/remove", new() { ["ticker"] = "IAM" })).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await App.WithDbAsync(db => db.Set<WatchlistItem>().CountAsync(i => i.WatchlistId == owner.ListId)), Is.Zero);
        Assert.That(await NoticesAsync(follower.UserId), Is.EqualTo(1));
        var centre = System.Net.WebUtility.HtmlDecode(await follower.Client.GetStringAsync("/notifications"));
        Assert.That(centre, Does.Contain("IAM was added to My watchlist").And.Contain($"/w/{token}"));

        // Added again, it is news again.
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/add", new() { ["ticker"] = "IAM" });
        Assert.That(await NoticesAsync(follower.UserId), Is.EqualTo(2));

        // Revoking the link takes every notice of the list with it, the one of the stock taken out included.
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/share", new() { ["shared"] = "false" });
        Assert.That(await NoticesAsync(follower.UserId), Is.Zero);
        Assert.That(await App.WithDbAsync(db => db.Set<MarketWatch.Web.Features.Analytics.Sharing.FollowedAddition>().CountAsync(a => a.WatchlistId == owner.ListId)), Is.Zero);
        Assert.That(await follower.Client.GetStringAsync("/notifications"), Does.Not.Contain($"/w/{token}"));
    }

    [Test]
    public async Task A_revoked_link_ends_the_follows_and_an_anonymous_visitor_is_sent_to_sign_in()
    {
        var (owner, token, follower) = await SharedAndFollowedAsync();
        Assert.That(await follower.Client.GetStringAsync("/watchlists"), Does.Contain($"/w/{token}"));
        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/add", new() { ["ticker"] = "IAM" });
        Assert.That(await NoticesAsync(follower.UserId), Is.EqualTo(1));
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var data = await scope.ServiceProvider.GetServices<MarketWatch.Web.Features.Accounts.IPersonalDataContributor>()
                .OfType<WatchlistFollowPersonalData>().Single().ExportAsync(follower.UserId, CancellationToken.None);
            Assert.That(System.Text.Json.JsonSerializer.Serialize(data), Does.Contain("followedWatchlists").And.Contain("My watchlist"));
        }

        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/share", new() { ["shared"] = "false" });
        Assert.That(await follower.Client.GetStringAsync("/watchlists"), Does.Not.Contain("data-testid=\"following\""));
        Assert.That(await App.WithDbAsync(db => db.Set<WatchlistFollow>().CountAsync(f => f.WatchlistId == owner.ListId)), Is.Zero);

        await ListPostAsync(owner, $"/watchlists/{owner.ListId}/share", new() { ["shared"] = "true" });
        var again = await App.WithDbAsync(db => db.Set<Watchlist>().Where(w => w.Id == owner.ListId).Select(w => w.ShareToken).SingleAsync());
        var anonymous = Client();
        Assert.That(await anonymous.GetStringAsync($"/w/{again}"), Does.Contain("data-testid=\"follow-sign-in\""));
        // What the former follower was told went with the revoked link: no notice leads them to the new one.
        Assert.That(await NoticesAsync(follower.UserId), Is.Zero);
        Assert.That(await follower.Client.GetStringAsync("/notifications"), Does.Not.Contain(again!));
    }
}
