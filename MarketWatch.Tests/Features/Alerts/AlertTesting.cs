using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>What the alert tests share: signed-in API clients, creating alerts, waiting for what the engine and jobs do.</summary>
public static class AlertTesting
{
    public sealed record User(HttpClient Api, string Id, string Email);

    /// <summary>A new account with a confirmed email (alert emails need one), signed in to the API with a bearer token.</summary>
    public static async Task<User> UserAsync(AppTest test, MarketWatchFactory app, Func<bool, HttpClient> client, string prefix = "alerts", bool admin = false)
    {
        var email = $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}@example.com";
        var http = client(false);
        var register = await http.PostAsJsonAsync("/api/auth/register", new { email, password = AppTest.Password, displayName = "Alert Tester" });
        Assert.That((int)register.StatusCode, Is.EqualTo(202), await register.Content.ReadAsStringAsync());
        var id = await app.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
            user.EmailConfirmed = true;
            await db.SaveChangesAsync();
            return user.Id;
        });
        if (admin)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var roles = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.RoleManager<Microsoft.AspNetCore.Identity.IdentityRole>>();
            if (!await roles.RoleExistsAsync(Web.Features.Accounts.Registration.AdminRole))
            {
                await roles.CreateAsync(new Microsoft.AspNetCore.Identity.IdentityRole(Web.Features.Accounts.Registration.AdminRole));
            }
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Web.Features.Accounts.ApplicationUser>>();
            var user = await users.FindByIdAsync(id);
            if (!await users.IsInRoleAsync(user!, Web.Features.Accounts.Registration.AdminRole))
            {
                await users.AddToRoleAsync(user!, Web.Features.Accounts.Registration.AdminRole);
            }
        }
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = AppTest.Password });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new User(http, id, email);
    }

    /// <summary>Saves the caller's notification settings with only the webhook on (to <paramref name="url"/>); the rest at their usual caps.</summary>
    public static async Task WebhookOnlyAsync(HttpClient api, string url)
    {
        var saved = await api.PutAsJsonAsync("/api/notifications/preferences", new
        {
            emailEnabled = false,
            pushEnabled = false,
            webhookEnabled = true,
            webhookUrl = url,
            emailDailyCap = 50,
            pushDailyCap = 50,
            smsDailyCap = 10,
            webhookDailyCap = 50,
        });
        Assert.That((int)saved.StatusCode, Is.EqualTo(200), await saved.Content.ReadAsStringAsync());
    }

    public static async Task<long> CreateAsync(HttpClient api, object alert)
    {
        var response = await api.PostAsJsonAsync("/api/alerts", alert);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    public static Task<List<AlertFiring>> FiringsAsync(MarketWatchFactory app, long alertId) =>
        app.WithDbAsync(db => db.Set<AlertFiring>().AsNoTracking().Where(f => f.AlertId == alertId).OrderBy(f => f.Id).ToListAsync());

    /// <summary>Waits until every instance's engine holds the alert (it reloads on the alerts_changed notification).</summary>
    public static Task WaitArmedAsync(MarketWatchFactory app, int atLeast) =>
        Eventually.TrueAsync(() => app.Services.GetRequiredService<AlertEngine>().Armed >= atLeast, $"{atLeast} armed alerts in the engine");

    /// <summary>
    /// Waits until the app's engine has evaluated the ticks stored at <paramref name="tickTime"/> and claimed what they
    /// fired: after it, a firing that has not appeared is one the engine will not make.
    /// </summary>
    public static Task WaitEvaluatedAsync(MarketWatchFactory app, DateTimeOffset tickTime) =>
        Eventually.TrueAsync(() => app.Services.GetRequiredService<AlertEngine>().EvaluatedThrough >= tickTime,
            $"the alert engine to evaluate the ticks of {tickTime:HH:mm:ss.ffffff}");

    /// <summary>Waits until none of the user's deliveries waits for a job or is being sent: the outbox has done its work.</summary>
    public static Task OutboxDrainedAsync(MarketWatchFactory app, string userId) =>
        Eventually.TrueAsync(async () => !await app.WithDbAsync(db => db.Set<Delivery>()
                .AnyAsync(d => d.UserId == userId && (d.Status == DeliveryStatus.Pending || d.Status == DeliveryStatus.Sending))),
            "the user's outbox to drain (no delivery pending or sending)");
}
