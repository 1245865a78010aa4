using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Notifications;

public sealed record PushKeys(string? P256dh, string? Auth);

/// <summary>What <c>PushSubscription.toJSON()</c> gives in the browser, plus a name for the device.</summary>
public sealed record PushSubscriptionRequest(string? Endpoint, PushKeys? Keys, string? Name);

public sealed record PushSubscriptionResponse(int Id, string Name, string EndpointOrigin, DateTimeOffset CreatedAt);

/// <summary><c>/api/notifications</c>: the VAPID public key and the signed-in user's push subscriptions (devices).</summary>
public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notifications").WithTags("Notifications");
        api.MapGet("/vapid-public-key", async (VapidKeys keys, CancellationToken ct) => Results.Ok(new { publicKey = (await keys.GetAsync(ct)).PublicKey }))
            .WithSummary("The application server key browsers subscribe with (base64url, uncompressed P-256 point).");
        var devices = api.MapGroup("/push-subscriptions").RequireAuthorization();
        devices.MapGet("/", async (HttpContext http, AppDbContext db, CancellationToken ct) =>
            {
                var userId = UserId(http);
                var rows = await db.Set<PushSubscription>().AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.Id).ToListAsync(ct);
                return Results.Ok(rows.Select(Response));
            })
            .WithSummary("Your devices that receive web push notifications.");
        devices.MapPost("/", SubscribeAsync)
            .WithSummary("Store this browser's push subscription (the same endpoint again updates it).").ProducesValidationProblem();
        devices.MapDelete("/{id:int}", async (int id, HttpContext http, AppDbContext db, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var userId = UserId(http);
                return await db.Set<PushSubscription>().Where(s => s.Id == id && s.UserId == userId).ExecuteDeleteAsync(ct) == 1
                    ? Results.NoContent()
                    : Results.Problem(title: L["Not found"], detail: L["No such device."], statusCode: 404);
            })
            .WithSummary("Stop sending web push to a device.");
        return app;
    }

    private static async Task<IResult> SubscribeAsync(PushSubscriptionRequest request, HttpContext http, AppDbContext db, TimeProvider clock,
        IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Uri.TryCreate(request.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttps || request.Endpoint!.Length > 2000)
        {
            errors["endpoint"] = [L["The push endpoint must be an https address."]];
        }
        if (string.IsNullOrWhiteSpace(request.Keys?.P256dh) || request.Keys.P256dh.Length > 200 || string.IsNullOrWhiteSpace(request.Keys.Auth) || request.Keys.Auth.Length > 100)
        {
            errors["keys"] = [L["The subscription keys are missing."]];
        }
        var name = (request.Name ?? "").Trim();
        if (name.Length > PushSubscription.NameMaxLength)
        {
            errors["name"] = [L["The name can be at most {0} characters long.", PushSubscription.NameMaxLength]];
        }
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        var userId = UserId(http);
        var existing = await db.Set<PushSubscription>().SingleOrDefaultAsync(s => s.Endpoint == request.Endpoint, ct);
        if (existing is null)
        {
            existing = new PushSubscription { UserId = userId, Endpoint = request.Endpoint!, P256dh = request.Keys!.P256dh!, Auth = request.Keys.Auth!, CreatedAt = clock.GetUtcNow() };
            db.Add(existing);
        }
        // The same browser signed in as someone else: the device now belongs to the new account.
        existing.UserId = userId;
        existing.P256dh = request.Keys!.P256dh!;
        existing.Auth = request.Keys.Auth!;
        existing.Name = name.Length > 0 ? name : L["This device"];
        await db.SaveChangesAsync(ct);
        return Results.Ok(Response(existing));
    }

    private static PushSubscriptionResponse Response(PushSubscription s) =>
        new(s.Id, s.Name, new Uri(s.Endpoint).GetLeftPart(UriPartial.Authority), s.CreatedAt);

    private static string UserId(HttpContext http) =>
        http.RequestServices.GetRequiredService<UserManager<Accounts.ApplicationUser>>().GetUserId(http.User)!;
}
