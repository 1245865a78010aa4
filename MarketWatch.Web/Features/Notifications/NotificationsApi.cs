using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Data;
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
        devices.MapGet("/", async (HttpContext http, DbContext db, CancellationToken ct) =>
            {
                var userId = http.UserIdOf();
                var rows = await db.Set<PushSubscription>().AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.Id).ToListAsync(ct);
                return Results.Ok(rows.Select(Response));
            })
            .WithSummary("Your devices that receive web push notifications.");
        devices.MapPost("/", SubscribeAsync)
            .WithSummary("Store this browser's push subscription (the same endpoint again updates it).").ProducesValidationProblem();
        devices.MapDelete("/{id:int}", async (int id, HttpContext http, DbContext db, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var userId = http.UserIdOf();
                return await db.Set<PushSubscription>().Where(s => s.Id == id && s.UserId == userId).ExecuteDeleteAsync(ct) == 1
                    ? Results.NoContent()
                    : Results.Problem(title: L["Not found"], detail: L["No such device."], statusCode: 404);
            })
            .WithSummary("Stop sending web push to a device.");
        MapSettingsAndHistory(api.MapGroup("").RequireAuthorization());
        return app;
    }

    public sealed record PreferencesResponse(
        bool EmailEnabled, bool PushEnabled, bool SmsEnabled, bool WebhookEnabled, int EmailDailyCap, int PushDailyCap, int SmsDailyCap, int WebhookDailyCap,
        TimeOnly? QuietStart, TimeOnly? QuietEnd, QuietHoursMode QuietMode, string? PhoneNumber, bool PhoneVerified, bool SmsAvailable,
        string? WebhookUrl, string? WebhookSecret);

    public sealed record PhoneRequest(string? PhoneNumber, string? Code);

    public sealed record ReadRequest(long[]? Ids);

    public sealed record TestRequest(Channel[]? Channels);

    public sealed record NotificationResponse(long Id, string Title, string Body, string? Note, string Url, DateTimeOffset CreatedAt, bool Read);

    private static void MapSettingsAndHistory(RouteGroupBuilder api)
    {
        api.MapGet("/preferences", async (HttpContext http, NotificationSettings settings, CancellationToken ct) =>
                Results.Ok(Preferences(await settings.GetAsync(http.UserIdOf(), ct), settings)))
            .WithSummary("Your notification settings: channels, daily caps, quiet hours (your time zone), phone, webhook.");
        api.MapPut("/preferences", async (PreferencesInput input, HttpContext http, NotificationSettings settings, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var errors = await settings.UpdateAsync(http.UserIdOf(), input, ct);
                return errors.Count > 0 ? errors.ToProblem(L) : Results.Ok(Preferences(await settings.GetAsync(http.UserIdOf(), ct), settings));
            })
            .WithSummary("Replace your notification settings.").ProducesValidationProblem();
        api.MapPost("/preferences/phone", async (PhoneRequest request, HttpContext http, NotificationSettings settings, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await settings.StartPhoneVerificationAsync(http.UserIdOf(), request.PhoneNumber, L["Your MarketWatch code is {0}. It expires in 10 minutes."], ct) is { } error
                    ? new[] { error }.ToProblem(L) : Results.Accepted())
            .WithSummary("Send a verification code by SMS to this number.").ProducesValidationProblem();
        api.MapPost("/preferences/phone/confirm", async (PhoneRequest request, HttpContext http, NotificationSettings settings, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await settings.ConfirmPhoneAsync(http.UserIdOf(), request.Code, ct) is { } error ? new[] { error }.ToProblem(L) : Results.NoContent())
            .WithSummary("Confirm the number with the code it received (turns SMS on).").ProducesValidationProblem();
        api.MapPost("/preferences/webhook-secret", async (HttpContext http, NotificationSettings settings, CancellationToken ct) =>
                Results.Ok(new { webhookSecret = await settings.RotateWebhookSecretAsync(http.UserIdOf(), ct) }))
            .WithSummary("Replace the secret that signs your webhooks (X-MarketWatch-Signature).");
        api.MapGet("/history", async (bool? unread, HttpContext http, NotificationCentre centre, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var items = await centre.ListAsync(http.UserIdOf(), 0, NotificationCentre.PageSize, unread == true, Accounts.AccountClaims.TimeZoneOf(http.User), ct);
                return Results.Ok(items.Select(i => new NotificationResponse(i.Id, i.Notice.Title, i.Notice.Body, i.Notice.Note, i.Notice.LinkPath, i.CreatedAt, i.Read)));
            })
            .WithSummary("Your in-app notifications, newest first (50).");
        api.MapPost("/history/read", async (ReadRequest request, HttpContext http, NotificationCentre centre, CancellationToken ct) =>
                Results.Ok(new { marked = await centre.MarkReadAsync(http.UserIdOf(), request.Ids, ct) }))
            .WithSummary("Mark notifications as read: the given ids, or all when ids is omitted.");
        api.MapPost("/test", async (TestRequest request, HttpContext http, NotificationOutbox outbox, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var channels = request.Channels is { Length: > 0 } chosen ? chosen : Enum.GetValues<Channel>();
                if (channels.Any(c => !Enum.IsDefined(c)))
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["channels"] = [L["Choose at least one way to be told."]] });
                }
                return NotificationOutbox.Tested(await outbox.SendTestAsync(http.UserIdOf(), null, channels, ct), http, L);
            })
            .WithSummary("Send a test notification through the given channels (all when omitted); each channel's result appears in the history of deliveries.");
        api.MapPost("/deliveries/{id:long}/resend", async (long id, HttpContext http, NotificationOutbox outbox, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var result = await outbox.ResendOneAsync(http.UserIdOf(), id, ct);
                return result.Outcome switch
                {
                    ResendOutcome.Queued => Results.Accepted(value: result.Row!.Delivery),
                    ResendOutcome.NotFailed => Results.Problem(title: L["Not sent again"],
                        detail: L["Only a failed delivery can be sent again; this one is {0}.", DeliveryText.Status(result.Row!.Delivery.Status, L)],
                        statusCode: StatusCodes.Status409Conflict),
                    _ => Results.Problem(title: L["Not found"], detail: L["No such delivery."], statusCode: StatusCodes.Status404NotFound),
                };
            })
            .WithSummary("Send one of your failed deliveries (the id in an alert's history) again: it is due at once, with a full retry schedule.")
            .Produces<DeliverySummary>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static PreferencesResponse Preferences(NotificationPreferences p, NotificationSettings settings) => new(
        p.EmailEnabled, p.PushEnabled, p.SmsEnabled, p.WebhookEnabled, p.EmailDailyCap, p.PushDailyCap, p.SmsDailyCap, p.WebhookDailyCap,
        p.QuietStart, p.QuietEnd, p.QuietMode, p.PhoneNumber, p.PhoneVerifiedAt is not null, settings.SmsAvailable, p.WebhookUrl, settings.WebhookSecretOf(p));

    private static async Task<IResult> SubscribeAsync(PushSubscriptionRequest request, HttpContext http, DbContext db, TimeProvider clock,
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
        var userId = http.UserIdOf();
        // Keyed by (user, endpoint): the same endpoint again from this account updates its row; from another account
        // (a browser shared by two people) it is that account's own row, and the first account's row is left as it
        // was: posting an endpoint can neither move someone's device nor tell whether anyone else has it.
        // One statement, so two tabs posting at once cannot both insert.
        var rows = await db.Set<PushSubscription>().FromSqlInterpolated($"""
            INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, name, created_at)
            VALUES ({userId}, {request.Endpoint!}, {request.Keys!.P256dh!}, {request.Keys.Auth!},
                    {(name.Length > 0 ? name : L["This device"].Value)}, {clock.GetUtcNow()})
            ON CONFLICT (user_id, endpoint) DO UPDATE
            SET p256dh = excluded.p256dh, auth = excluded.auth, name = excluded.name
            RETURNING *
            """).AsNoTracking().ToListAsync(ct);
        var existing = rows.Single();
        return Results.Ok(Response(existing));
    }

    private static PushSubscriptionResponse Response(PushSubscription s) =>
        new(s.Id, s.Name, new Uri(s.Endpoint).GetLeftPart(UriPartial.Authority), s.CreatedAt);

}
