using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Notifications;

/// <summary>A push endpoint is an address a user gave: by default it may not point into private networks.</summary>
public sealed class PushEndpointGuardTests : AppTest
{
    [Test]
    public async Task A_push_endpoint_on_a_loopback_address_is_refused_and_nothing_reaches_it()
    {
        await using var push = new PushServiceTestServer();
        await push.StartAsync();
        var email = NewEmail("guard");
        await RegisterAsync(Client(), email);
        var userId = (await App.FindUserAsync(email))!.Id;
        var device = push.NewDevice();
        await App.WithDbAsync(async db =>
        {
            db.Add(new PushSubscription { UserId = userId, Endpoint = device.Endpoint, P256dh = device.P256dh, Auth = device.Auth, Name = "Probe", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });

        await using var scope = App.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<WebPushSender>()
            .SendAsync(userId, new PushPayload("t", "b", "/", "x"), CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(ChannelOutcome.Failed), "refused for good, not retried");
        Assert.That(push.Deliveries, Is.Empty);
        Assert.That(push.Rejections, Is.Empty, "no request reached the loopback server at all");
    }
}
