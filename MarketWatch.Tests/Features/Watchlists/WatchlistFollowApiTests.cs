using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Tests.Features.Watchlists;

/// <summary>Following a shared list through the API: what the shared page's follow button does, for API clients.</summary>
public sealed class WatchlistFollowApiTests : AppTest
{
    private sealed record Member(HttpClient Http, string UserId);

    private async Task<Member> MemberAsync(string prefix)
    {
        var http = Client(false);
        var email = NewEmail(prefix);
        await RegisterAsync(http, email);
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new Member(http, await App.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync()));
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    private static async Task AssertNotSharedAsync(HttpResponseMessage response)
    {
        var problem = await JsonAsync(response, HttpStatusCode.NotFound);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("No watchlist is shared with this link"));
    }

    private Task<int> NoticesAsync(string userId) =>
        App.WithDbAsync(db => db.Set<InAppNotification>().CountAsync(n => n.UserId == userId && n.EventSource == 2));

    private Task<int> FollowsAsync(int listId) => App.WithDbAsync(db => db.Set<WatchlistFollow>().CountAsync(f => f.WatchlistId == listId));

    [Test]
    public async Task A_list_shared_through_the_api_is_read_followed_counted_and_unfollowed_and_its_revoked_link_is_404()
    {
        var owner = await MemberAsync("owner");
        var listId = (await JsonAsync(await owner.Http.GetAsync("/api/watchlists"), HttpStatusCode.OK))[0].GetProperty("id").GetInt32();
        await JsonAsync(await owner.Http.PostAsJsonAsync($"/api/watchlists/{listId}/items", new { ticker = "ATW", note = "owner's private note", targetPrice = 812.5m }), HttpStatusCode.Created);
        var shared = await JsonAsync(await owner.Http.PutAsJsonAsync($"/api/watchlists/{listId}", new { shared = true }), HttpStatusCode.OK);
        var token = shared.GetProperty("shareToken").GetString()!;
        Assert.That((shared.GetProperty("shared").GetBoolean(), shared.GetProperty("followers").GetInt32()), Is.EqualTo((true, 0)));

        // A visitor with the link reads the rows, never the owner's note or target.
        var follower = await MemberAsync("follower");
        var quiet = await MemberAsync("quiet");
        var response = await follower.Http.GetAsync($"/api/watchlists/shared/{token}");
        var view = await JsonAsync(response, HttpStatusCode.OK);
        Assert.That((view.GetProperty("name").GetString(), view.GetProperty("canFollow").GetBoolean(), view.GetProperty("following").GetBoolean()),
            Is.EqualTo(("My watchlist", true, false)));
        Assert.That(view.GetProperty("items")[0].GetProperty("ticker").GetString(), Is.EqualTo("ATW"));
        var raw = await response.Content.ReadAsStringAsync();
        Assert.That(raw, Does.Not.Contain("private note").And.Not.Contain("812.5").And.Not.Contain(owner.UserId));

        // Follow (twice is one follow), then turn the notices off; a second follower keeps them on.
        Assert.That((await JsonAsync(await follower.Http.PutAsJsonAsync($"/api/watchlists/shared/{token}/follow", new { }), HttpStatusCode.OK))
            .GetProperty("notify").GetBoolean(), Is.True);
        var quietFollow = await JsonAsync(await quiet.Http.PutAsJsonAsync($"/api/watchlists/shared/{token}/follow", new { notify = false }), HttpStatusCode.OK);
        Assert.That(quietFollow.GetProperty("notify").GetBoolean(), Is.False);
        await JsonAsync(await quiet.Http.PutAsJsonAsync($"/api/watchlists/shared/{token}/follow", new { }), HttpStatusCode.OK);
        var following = await JsonAsync(await quiet.Http.GetAsync("/api/watchlists/following"), HttpStatusCode.OK);
        Assert.That(following.GetArrayLength(), Is.EqualTo(1));
        Assert.That((following[0].GetProperty("token").GetString(), following[0].GetProperty("name").GetString(), following[0].GetProperty("notify").GetBoolean()),
            Is.EqualTo((token, "My watchlist", false)), "a follow without notify keeps what was chosen");
        Assert.That((await JsonAsync(await follower.Http.GetAsync($"/api/watchlists/shared/{token}"), HttpStatusCode.OK)).GetProperty("following").GetBoolean(), Is.True);

        // The owner sees how many, not who; and cannot follow their own list.
        Assert.That((await JsonAsync(await owner.Http.GetAsync($"/api/watchlists/{listId}"), HttpStatusCode.OK)).GetProperty("followers").GetInt32(), Is.EqualTo(2));
        Assert.That((await JsonAsync(await owner.Http.GetAsync("/api/watchlists"), HttpStatusCode.OK))[0].GetProperty("followers").GetInt32(), Is.EqualTo(2));
        var own = await JsonAsync(await owner.Http.PutAsJsonAsync($"/api/watchlists/shared/{token}/follow", new { }), HttpStatusCode.Conflict);
        Assert.That(own.GetProperty("detail").GetString(), Is.EqualTo("You cannot follow your own watchlist."));
        Assert.That(await FollowsAsync(listId), Is.EqualTo(2));
        Assert.That((await JsonAsync(await owner.Http.GetAsync($"/api/watchlists/shared/{token}"), HttpStatusCode.OK)).GetProperty("canFollow").GetBoolean(), Is.False);

        // The owner adds a stock through the API: only the follower who asked is told.
        await JsonAsync(await owner.Http.PostAsJsonAsync($"/api/watchlists/{listId}/items", new { ticker = "IAM" }), HttpStatusCode.Created);
        Assert.That((await NoticesAsync(follower.UserId), await NoticesAsync(quiet.UserId), await NoticesAsync(owner.UserId)), Is.EqualTo((1, 0, 0)));

        // Unfollowing is idempotent and stops the notices.
        await JsonAsync(await follower.Http.DeleteAsync($"/api/watchlists/shared/{token}/follow"), HttpStatusCode.NoContent);
        await JsonAsync(await follower.Http.DeleteAsync($"/api/watchlists/shared/{token}/follow"), HttpStatusCode.NoContent);
        Assert.That((await JsonAsync(await follower.Http.GetAsync("/api/watchlists/following"), HttpStatusCode.OK)).GetArrayLength(), Is.Zero);
        await JsonAsync(await owner.Http.PostAsJsonAsync($"/api/watchlists/{listId}/items", new { ticker = "BCP" }), HttpStatusCode.Created);
        Assert.That(await NoticesAsync(follower.UserId), Is.EqualTo(1));

        // Revoking the link ends the follows; the old token is 404 for reading, following and unfollowing.
        var revoked = await JsonAsync(await owner.Http.PutAsJsonAsync($"/api/watchlists/{listId}", new { shared = false }), HttpStatusCode.OK);
        Assert.That((revoked.GetProperty("shared").GetBoolean(), revoked.GetProperty("shareToken").ValueKind, revoked.GetProperty("followers").GetInt32()),
            Is.EqualTo((false, JsonValueKind.Null, 0)));
        await AssertNotSharedAsync(await quiet.Http.GetAsync($"/api/watchlists/shared/{token}"));
        await AssertNotSharedAsync(await quiet.Http.PutAsJsonAsync($"/api/watchlists/shared/{token}/follow", new { }));
        await AssertNotSharedAsync(await quiet.Http.DeleteAsync($"/api/watchlists/shared/{token}/follow"));
        Assert.That((await JsonAsync(await quiet.Http.GetAsync("/api/watchlists/following"), HttpStatusCode.OK)).GetArrayLength(), Is.Zero);
        Assert.That(await FollowsAsync(listId), Is.Zero);
    }

    [Test]
    public async Task Bad_tokens_and_bodies_are_problems_that_change_nothing_and_the_api_needs_a_signed_in_caller()
    {
        var owner = await MemberAsync("owner");
        var listId = (await JsonAsync(await owner.Http.GetAsync("/api/watchlists"), HttpStatusCode.OK))[0].GetProperty("id").GetInt32();
        var token = (await JsonAsync(await owner.Http.PutAsJsonAsync($"/api/watchlists/{listId}", new { shared = true }), HttpStatusCode.OK)).GetProperty("shareToken").GetString()!;
        var visitor = await MemberAsync("visitor");

        await AssertNotSharedAsync(await visitor.Http.GetAsync("/api/watchlists/shared/" + new string('x', 10_000)));
        await AssertNotSharedAsync(await visitor.Http.PutAsJsonAsync("/api/watchlists/shared/not-a-token/follow", new { }));
        var broken = await visitor.Http.PutAsync($"/api/watchlists/shared/{token}/follow", new StringContent("{\"notify\": maybe", Encoding.UTF8, "application/json"));
        Assert.That(broken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await broken.Content.ReadAsStringAsync());
        Assert.That(broken.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await FollowsAsync(listId), Is.Zero, "a refused body follows nothing");

        var anonymous = Client(false);
        Assert.That((await anonymous.GetAsync("/api/watchlists/following")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await anonymous.PutAsJsonAsync($"/api/watchlists/shared/{token}/follow", new { })).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await FollowsAsync(listId), Is.Zero);
    }
}
