using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Trading;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// The tick grid, the day's static thresholds and the reference price they are taken around (<see cref="TickGrid"/>,
/// <see cref="PriceBand"/>). The bands are the seeded ones (<see cref="TickGrid.Defaults"/>: 0.01 MAD under 100 MAD,
/// 0.10 MAD from 100 MAD, 1 MAD from 1,000 MAD); the ±10% is the regulator's threshold in continuous trading from
/// 9 Oct 2023 (/work/shared/data/providers.md, "Daily price limits").
/// </summary>
public sealed class RulesGridTests
{
    private static readonly IReadOnlyList<(decimal MinPrice, decimal Tick)> Bands = TickGrid.Defaults;

    [TestCase(0.01, 0.01)]
    [TestCase(45.67, 0.01)]
    [TestCase(99.99, 0.01, Description = "the last price of the first band")]
    [TestCase(100, 0.10, Description = "a band starts at its minimum")]
    [TestCase(100.01, 0.10)]
    [TestCase(999.9, 0.10)]
    [TestCase(1000, 1, Description = "the third band starts at 1,000")]
    [TestCase(25000, 1)]
    public void The_tick_is_the_band_s_at_or_below_the_price(decimal price, decimal tick) =>
        Assert.That(TickGrid.TickAt(Bands, price), Is.EqualTo(tick));

    [Test]
    public void The_bands_may_come_in_any_order()
    {
        var shuffled = new List<(decimal, decimal)> { (1000m, 1m), (0m, 0.01m), (100m, 0.10m) };
        Assert.That(TickGrid.TickAt(shuffled, 150m), Is.EqualTo(0.10m));
        Assert.That(TickGrid.TickAt(shuffled, 50m), Is.EqualTo(0.01m));
        Assert.That(TickGrid.Up(shuffled, 150.01m), Is.EqualTo(150.1m));
    }

    [Test]
    public void Below_every_band_the_step_is_a_centime()
    {
        var fromTen = new List<(decimal, decimal)> { (10m, 0.05m) };
        Assert.That(TickGrid.TickAt(fromTen, 5m), Is.EqualTo(0.01m));
        Assert.That(TickGrid.Up(fromTen, 9.995m), Is.EqualTo(10m));
        Assert.That(TickGrid.Down(fromTen, 10.04m), Is.EqualTo(10m));
        Assert.That(TickGrid.Down(fromTen, 9.999m), Is.EqualTo(9.99m));
    }

    [TestCase(0.01, true)]
    [TestCase(99.99, true)]
    [TestCase(99.995, false, Description = "half a centime")]
    [TestCase(100, true)]
    [TestCase(100.1, true)]
    [TestCase(100.15, false, Description = "a centime step above 100")]
    [TestCase(999.9, true)]
    [TestCase(1000, true)]
    [TestCase(1000.5, false, Description = "ten centimes above 1,000")]
    [TestCase(1001, true)]
    [TestCase(0, false, Description = "a price is positive")]
    [TestCase(-1, false)]
    public void A_price_is_on_the_grid_when_it_is_a_multiple_of_its_band_s_tick(decimal price, bool onGrid) =>
        Assert.That(TickGrid.OnGrid(Bands, price), Is.EqualTo(onGrid));

    [TestCase(45.678, 45.67, 45.68)]
    [TestCase(45.67, 45.67, 45.67, Description = "on the grid: itself")]
    [TestCase(99.995, 99.99, 100, Description = "up crosses into the 0.10 band at its start")]
    [TestCase(100, 100, 100)]
    [TestCase(100.05, 100, 100.1)]
    [TestCase(150.01, 150, 150.1)]
    [TestCase(999.95, 999.9, 1000, Description = "up crosses into the 1 MAD band")]
    [TestCase(1000.5, 1000, 1001)]
    [TestCase(1234.01, 1234, 1235)]
    public void Down_and_up_give_the_nearest_grid_prices(decimal price, decimal down, decimal up)
    {
        Assert.That(TickGrid.Down(Bands, price), Is.EqualTo(down), "down");
        Assert.That(TickGrid.Up(Bands, price), Is.EqualTo(up), "up");
        Assert.That(TickGrid.OnGrid(Bands, TickGrid.Down(Bands, price)) && TickGrid.OnGrid(Bands, TickGrid.Up(Bands, price)), Is.True);
    }

    [Test]
    public void Bands_that_do_not_line_up_still_give_grid_prices()
    {
        // An admin may enter a band whose start is not a multiple of its own step (/admin/ticks): 0.50 MAD from 100.30.
        // Its multiples start at 100.50; below it, the 0.01 band runs to 100.29. Up and down must land on that grid.
        var odd = new List<(decimal, decimal)> { (0m, 0.01m), (100.30m, 0.50m) };
        Assert.That(TickGrid.Up(odd, 100.295m), Is.EqualTo(100.50m), "100.30 is not a multiple of 0.50: the band's first grid price is 100.50");
        Assert.That(TickGrid.Down(odd, 100.31m), Is.EqualTo(100.29m), "below 100.50 the highest grid price is the lower band's 100.29");
        Assert.That(TickGrid.Down(odd, 100.30m), Is.EqualTo(100.29m));
        Assert.That(TickGrid.Up(odd, 100.29m), Is.EqualTo(100.29m));
        Assert.That(TickGrid.Down(odd, 100.74m), Is.EqualTo(100.50m));
        foreach (var price in new[] { 100.295m, 100.31m, 100.30m, 100.74m, 99m })
        {
            Assert.That(TickGrid.OnGrid(odd, TickGrid.Up(odd, price)), Is.True, $"up from {price}");
            Assert.That(TickGrid.OnGrid(odd, TickGrid.Down(odd, price)), Is.True, $"down from {price}");
        }
    }

    [TestCase(100, 90, 110)]
    [TestCase(95, 85.5, 104.5)]
    [TestCase(105.55, 95, 116.1, Description = "94.995 rounds up inward, 116.105 rounds down inward; the bands differ")]
    [TestCase(1000, 900, 1100)]
    [TestCase(1105.5, 995, 1216, Description = "low in the 0.10 band, high in the 1 MAD band")]
    [TestCase(12.34, 11.11, 13.57, Description = "11.106 up to 11.11, 13.574 down to 13.57")]
    public void The_thresholds_are_ten_percent_around_the_reference_on_the_grid_inward(decimal reference, decimal low, decimal high)
    {
        var band = PriceBand.Around(reference, 0.10m, Bands);
        Assert.That(band, Is.EqualTo(new PriceBand(low, high)));
        Assert.That(band.Low, Is.GreaterThanOrEqualTo(reference * 0.9m), "never below -10%");
        Assert.That(band.High, Is.LessThanOrEqualTo(reference * 1.1m), "never above +10%");
    }

    [Test]
    public void A_band_contains_its_edges_and_nothing_beyond()
    {
        var band = new PriceBand(90m, 110m);
        Assert.That(band.Contains(90m) && band.Contains(110m) && band.Contains(100m), Is.True);
        Assert.That(band.Contains(89.99m) || band.Contains(110.1m), Is.False);
    }

    // The session is Tuesday 12 January 2027; quotes are stamped in exchange time.
    private static readonly DateOnly Session = new(2027, 1, 12);

    [Test]
    public void The_reference_is_the_previous_close_of_a_quote_of_the_session()
    {
        var duringSession = ExchangeCalendar.At(Session, new TimeOnly(11, 0));
        Assert.That(PriceBand.ReferencePrice(105m, 100m, duringSession, Session, 80m), Is.EqualTo(100m));
    }

    [Test]
    public void The_reference_is_the_last_price_of_an_older_quote()
    {
        // Friday's last quote, read before Tuesday's session: its last price is the latest close.
        var friday = ExchangeCalendar.At(new DateOnly(2027, 1, 8), new TimeOnly(15, 40));
        Assert.That(PriceBand.ReferencePrice(105m, 100m, friday, Session, 80m), Is.EqualTo(105m));
        // Late the evening before: still an older session's quote.
        var mondayNight = ExchangeCalendar.At(new DateOnly(2027, 1, 11), new TimeOnly(23, 59));
        Assert.That(PriceBand.ReferencePrice(106m, 100m, mondayNight, Session, 80m), Is.EqualTo(106m));
    }

    [Test]
    public void Without_a_quote_the_reference_is_the_catalogue_s()
    {
        Assert.That(PriceBand.ReferencePrice(null, null, null, Session, 80m), Is.EqualTo(80m));
        Assert.That(PriceBand.ReferencePrice(0m, 100m, ExchangeCalendar.At(Session, new TimeOnly(10, 0)), Session, 80m), Is.EqualTo(80m),
            "a quote without a price is no quote");
    }

    [Test]
    public void A_quote_of_the_session_without_a_previous_close_falls_back_to_its_last_price()
    {
        var duringSession = ExchangeCalendar.At(Session, new TimeOnly(11, 0));
        Assert.That(PriceBand.ReferencePrice(105m, 0m, duringSession, Session, 80m), Is.EqualTo(105m));
        Assert.That(PriceBand.ReferencePrice(105m, null, duringSession, Session, 80m), Is.EqualTo(105m));
    }
}
