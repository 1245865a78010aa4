using System.Net;
using System.Net.Http.Json;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features.Edge;

/// <summary>The sign-in limit holds across instances: two app processes on one database allow the limit once, not twice.</summary>
public sealed class SharedRateLimitTests
{
    [Test]
    public async Task Attempts_alternating_between_two_instances_are_allowed_the_limit_once_in_total()
    {
        var database = await TestDatabase.CreateAsync();
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["RateLimits:AuthPermitLimit"] = "5",
                ["RateLimits:AuthWindowSeconds"] = "600",
                ["Jobs:Server"] = "false",
            };
            await using var first = await AppProcess.StartAsync("limit-a", database, settings);
            await using var second = await AppProcess.StartAsync("limit-b", database, settings);
            using var a = first.Client();
            using var b = second.Client();

            var answers = new List<HttpResponseMessage>();
            for (var i = 0; i < 12; i++)
            {
                var client = i % 2 == 0 ? a : b;
                answers.Add(await client.PostAsJsonAsync("/api/auth/login", new { email = "nobody@example.com", password = "Wrong-password-1" }));
            }

            var codes = answers.Select(r => r.StatusCode).ToList();
            Assert.That(codes.Take(5), Is.All.EqualTo(HttpStatusCode.Unauthorized), string.Join(", ", codes));
            Assert.That(codes.Skip(5), Is.All.EqualTo(HttpStatusCode.TooManyRequests), string.Join(", ", codes));
            foreach (var limited in answers.Skip(5))
            {
                Assert.That(limited.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0).And.LessThanOrEqualTo(600));
                Assert.That(limited.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            }
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }
}
