using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MarketWatch.Tests.Infrastructure;
using static MarketWatch.Tests.Features.Alerts.AlertTesting;

namespace MarketWatch.Tests.Features.Alerts;

/// <summary>The indicator conditions' values through the API: a 400 problem naming the field, and what is kept.</summary>
public sealed class IndicatorAlertValidationTests : AppTest
{
    private User _user = null!;

    [OneTimeSetUp]
    public async Task SignUpAsync() => _user = await AlertTesting.UserAsync(this, App, Client, "indicator-input");

    private async Task<JsonElement> RefusedAsync(object alert)
    {
        var response = await _user.Api.PostAsJsonAsync("/api/alerts", alert);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("errors");
    }

    [TestCase("SmaCrossUp", null, 1)]
    [TestCase("SmaCrossDown", null, 201)]
    [TestCase("EmaCrossUp", null, null)]
    [TestCase("RsiCrossesAbove", 70, 51)]
    [TestCase("RsiCrossesBelow", 30, 1)]
    public async Task A_period_out_of_range_is_refused_naming_the_field(string condition, int? level, int? period)
    {
        var errors = await RefusedAsync(new { ticker = "ATW", condition, level, indicatorPeriod = period, channels = new[] { "InApp" } });
        Assert.That(errors.TryGetProperty("indicatorPeriod", out _), Is.True, errors.ToString());
    }

    [TestCase("RsiCrossesAbove", 0)]
    [TestCase("RsiCrossesAbove", 100)]
    [TestCase("RsiCrossesBelow", null)]
    [TestCase("VolumeAboveAverage", 0.5)]
    [TestCase("VolumeAboveAverage", 21)]
    [TestCase("VolumeAboveAverage", null)]
    public async Task A_level_out_of_range_is_refused_naming_the_field(string condition, double? level)
    {
        var errors = await RefusedAsync(new { ticker = "ATW", condition, level, indicatorPeriod = 14, channels = new[] { "InApp" } });
        Assert.That(errors.TryGetProperty("level", out _), Is.True, errors.ToString());
        Assert.That(errors.TryGetProperty("indicatorPeriod", out _), Is.False, errors.ToString());
    }

    [Test]
    public async Task Valid_indicator_alerts_keep_only_what_their_condition_uses()
    {
        var sma = await CreateAsync(_user.Api, new { ticker = "ATW", condition = "SmaCrossUp", level = 123, indicatorPeriod = 200, channels = new[] { "InApp" } });
        var kept = await _user.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{sma}");
        Assert.That(kept.GetProperty("indicatorPeriod").GetInt32(), Is.EqualTo(200));
        Assert.That(kept.GetProperty("level").ValueKind, Is.EqualTo(JsonValueKind.Null), "an SMA crossing has no level");

        var volume = await CreateAsync(_user.Api, new { ticker = "ATW", condition = "VolumeAboveAverage", level = 1.5, indicatorPeriod = 14, channels = new[] { "InApp" } });
        kept = await _user.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{volume}");
        Assert.That(kept.GetProperty("level").GetDecimal(), Is.EqualTo(1.5m), "a decimal multiple");
        Assert.That(kept.GetProperty("indicatorPeriod").ValueKind, Is.EqualTo(JsonValueKind.Null), "the volume's average is always 20 sessions");

        // On a watchlist too: the engine keeps the states per instrument of the list.
        var list = await _user.Api.PostAsJsonAsync("/api/watchlists", new { name = "Indicators" });
        Assert.That((int)list.StatusCode, Is.EqualTo(201), await list.Content.ReadAsStringAsync());
        var listId = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await CreateAsync(_user.Api, new { watchlistId = listId, condition = "RsiCrossesBelow", level = 30, indicatorPeriod = 14, channels = new[] { "InApp" } });
    }
}
