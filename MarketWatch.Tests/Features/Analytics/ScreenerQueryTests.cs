using MarketWatch.Web.Features.Analytics;

namespace MarketWatch.Tests.Features.Analytics;

/// <summary>The screener's URL grammar: every filter read, every bad value refused with its parameter and rule.</summary>
public sealed class ScreenerQueryTests
{
    private static readonly string[] Sectors = ["Banks", "Telecoms", "Real estate"];

    private static ScreenerQuery Valid(string query, bool api = false)
    {
        var parsed = ScreenerQuery.Parse(query, Sectors, api);
        Assert.That(parsed.Errors.Select(e => e.Message.ToString()), Is.Empty);
        return parsed.Query!;
    }

    private static string Refused(string query, string field, bool api = false)
    {
        var parsed = ScreenerQuery.Parse(query, Sectors, api);
        Assert.That(parsed.Query, Is.Null, query);
        var error = parsed.Errors.FirstOrDefault(e => e.Field == field);
        Assert.That(error, Is.Not.Null, $"{query}: no error on {field} ({string.Join("; ", parsed.Errors.Select(e => e.Field))})");
        return error!.Message.ToString();
    }

    [Test]
    public void An_empty_query_is_the_default_screen()
    {
        var query = Valid("");
        Assert.That((query.Filters, query.Period, query.Sort, query.Descending, query.Page, query.Limit), Is.EqualTo((false, Period.D1, "ticker", false, 1, 50)));
        Assert.That(query.Cols, Is.EqualTo(ScreenerQuery.DefaultColumns));
        Assert.That(query.ToQueryString(), Is.Empty);
    }

    [Test]
    public void Every_filter_is_read()
    {
        var query = Valid("sector=banks&sector=Telecoms&period=m3&priceMin=10&priceMax=500.5&chgMin=-5&chgMax=20&volMin=1000&relVolMin=1.5"
                          + "&capMin=1e9&capMax=2e11&pos52Min=10&pos52Max=90&rsiMin=30&rsiMax=70&sma50=above&sma200=BELOW&volatMin=5&volatMax=40"
                          + "&betaMin=-0.5&betaMax=1.5&cols=rsi,last&sort=rsi&dir=desc&page=2");
        Assert.That(query.Sectors, Is.EqualTo(new[] { "Banks", "Telecoms" }));
        Assert.That(query.Period, Is.EqualTo(Period.M3));
        Assert.That(query.Bound("price"), Is.EqualTo(((double?)10, (double?)500.5)));
        Assert.That(query.Bound("chg"), Is.EqualTo(((double?)-5, (double?)20)));
        Assert.That(query.Bound("vol"), Is.EqualTo(((double?)1000, (double?)null)));
        Assert.That(query.Bound("relVol"), Is.EqualTo(((double?)1.5, (double?)null)));
        Assert.That(query.Bound("cap"), Is.EqualTo(((double?)1e9, (double?)2e11)));
        Assert.That(query.Bound("pos52"), Is.EqualTo(((double?)10, (double?)90)));
        Assert.That(query.Bound("rsi"), Is.EqualTo(((double?)30, (double?)70)));
        Assert.That(query.Bound("volat"), Is.EqualTo(((double?)5, (double?)40)));
        Assert.That(query.Bound("beta"), Is.EqualTo(((double?)-0.5, (double?)1.5)));
        Assert.That((query.Sma50, query.Sma200), Is.EqualTo(("above", "below")));
        Assert.That(query.Cols, Is.EqualTo(new[] { "rsi", "last" }));
        Assert.That((query.Sort, query.Descending, query.Page), Is.EqualTo(("rsi", true, 2)));
        Assert.That(query.Filters, Is.True);
    }

    [Test]
    public void The_canonical_query_string_reads_back_as_the_same_filter()
    {
        var query = Valid("rsiMax=70&sector=Banks&unknown=1&priceMin=&period=Y1&chgMin=2.5&cols=rsi&cols=last&sort=cap&dir=desc");
        var text = query.ToQueryString();
        Assert.That(text, Is.EqualTo("sector=Banks&period=Y1&chgMin=2.5&rsiMax=70&cols=rsi,last&sort=cap&dir=desc").Or.EqualTo("sector=Banks&period=Y1&chgMin=2.5&rsiMax=70&cols=rsi%2Clast&sort=cap&dir=desc"));
        var again = Valid(text);
        Assert.That(again.ToQueryString(), Is.EqualTo(text));
        Assert.That(again.Cols, Is.EqualTo(query.Cols));
    }

    [Test]
    public void Unknown_parameter_names_and_empty_values_are_ignored()
    {
        var query = Valid("?utm_source=x&rsiMin=&sma50=&sector=");
        Assert.That(query.Filters, Is.False);
    }

    [TestCase("rsiMin=abc", "rsiMin", "rsiMin must be a number between 0 and 100.")]
    [TestCase("rsiMax=101", "rsiMax", "rsiMax must be a number between 0 and 100.")]
    [TestCase("pos52Min=-1", "pos52Min", "pos52Min must be a number between 0 and 100.")]
    [TestCase("priceMin=-3", "priceMin", "priceMin must be a number between 0 and 10000000.")]
    [TestCase("priceMin=NaN", "priceMin", "priceMin must be a number between 0 and 10000000.")]
    [TestCase("chgMin=-101", "chgMin", "chgMin must be a number between -100 and 100000.")]
    [TestCase("volMin=1,5", "volMin", "volMin must be a number between 0 and 10000000000000.")]
    [TestCase("relVolMin=x", "relVolMin", "relVolMin must be a number between 0 and 10000.")]
    [TestCase("capMax=Infinity", "capMax", "capMax must be a number between 0 and 10000000000000000.")]
    [TestCase("volatMax=-1", "volatMax", "volatMax must be a number between 0 and 10000.")]
    [TestCase("betaMin=-1000", "betaMin", "betaMin must be a number between -100 and 100.")]
    [TestCase("priceMin=50&priceMax=10", "priceMax", "priceMax must not be less than priceMin.")]
    [TestCase("rsiMin=70&rsiMax=30", "rsiMax", "rsiMax must not be less than rsiMin.")]
    [TestCase("period=2Y", "period", "period must be one of: D1, W1, M1, M3, YTD, Y1, Y3.")]
    [TestCase("sma50=over", "sma50", "sma50 must be one of: above, below.")]
    [TestCase("sma200=1", "sma200", "sma200 must be one of: above, below.")]
    [TestCase("sector=Mining", "sector", "sector must be one of the catalogue's sectors; Mining is not one.")]
    [TestCase("sort=price", "sort", null)]
    [TestCase("cols=last,price", "cols", null)]
    [TestCase("dir=up", "dir", "dir must be one of: asc, desc.")]
    [TestCase("page=0", "page", "page must be a whole number between 1 and 10000.")]
    [TestCase("page=1.5", "page", "page must be a whole number between 1 and 10000.")]
    public void A_bad_value_is_refused_naming_its_parameter_and_rule(string query, string field, string? message)
    {
        var text = Refused(query, field);
        if (message is not null)
        {
            Assert.That(text, Is.EqualTo(message));
        }
        else
        {
            Assert.That(text, Does.StartWith(field + " must be one of: ").And.Contain("last, change, perf"));
        }
    }

    [Test]
    public void Every_bad_value_is_reported_not_only_the_first()
    {
        var parsed = ScreenerQuery.Parse("rsiMin=x&betaMax=y&sort=nope", Sectors);
        Assert.That(parsed.Errors.Select(e => e.Field), Is.EquivalentTo(new[] { "rsiMin", "betaMax", "sort" }));
    }

    [Test]
    public void The_api_reads_a_page_size_up_to_200_and_the_page_ignores_it()
    {
        Assert.That(Valid("limit=200", api: true).Limit, Is.EqualTo(200));
        Assert.That(Valid("limit=500").Limit, Is.EqualTo(ScreenerQuery.PageSize));
        Assert.That(Refused("limit=201", "limit", api: true), Is.EqualTo("limit must be a whole number between 1 and 200."));
        Assert.That(Refused("limit=0", "limit", api: true), Is.EqualTo("limit must be a whole number between 1 and 200."));
    }

    [Test]
    public void Sorting_by_a_header_toggles_the_direction_and_starts_again_at_page_1()
    {
        var query = Valid("sort=rsi&page=3");
        Assert.That(query.SortedBy("rsi"), Has.Property(nameof(ScreenerQuery.Descending)).True.And.Property(nameof(ScreenerQuery.Page)).EqualTo(1));
        Assert.That(query.SortedBy("name").Descending, Is.False, "text columns start A to Z");
        Assert.That(query.SortedBy("cap").Descending, Is.True, "figures start with the largest");
    }
}
