namespace MarketWatch.Web.Features.Market.Providers;

/// <summary>Settings of section <c>MarketData</c>.</summary>
public sealed class MarketDataOptions
{
    /// <summary>Simulated (default), CasablancaBourse or Eodhd.</summary>
    public string Provider { get; set; } = "Simulated";

    /// <summary>Run the ingest in this instance (one instance at a time holds the lease).</summary>
    public bool Ingest { get; set; } = true;

    /// <summary>
    /// Feed sanity: a tick further than this from the instrument's reference price (the previous close) is held back.
    /// The exchange's own daily limit is ±10% of the static reference price in continuous trading.
    /// </summary>
    public decimal StaticThresholdPercent { get; set; } = 10m;

    /// <summary>Consecutive ticks near a held-back level that confirm it as a real move (the last of them becomes the price).</summary>
    public int ConfirmTicks { get; set; } = 3;

    /// <summary>How close (in % of the held-back level) a tick must be to count towards confirming it.</summary>
    public decimal ConfirmTolerancePercent { get; set; } = 2m;
    /// <summary>While the market trades, /health/ready says Degraded when no new quote arrived for this long (three polls of the exchange's site).</summary>
    public int StaleFeedSeconds { get; set; } = 180;

    public SimulatedOptions Simulated { get; set; } = new();
    public CasablancaBourseOptions CasablancaBourse { get; set; } = new();
    public EodhdOptions Eodhd { get; set; } = new();
}

public sealed class SimulatedOptions
{
    /// <summary>Same seed, same prices: the simulation is deterministic.</summary>
    public int Seed { get; set; } = 20250818;
    /// <summary>Milliseconds between ticks of the simulated feed.</summary>
    public int TickIntervalMs { get; set; } = 1000;
    /// <summary>Ignore the exchange calendar so prices move at any hour (the run command turns it on; never in Production).</summary>
    public bool DemoMode { get; set; }
    /// <summary>
    /// Keep <see cref="DemoMode"/> on in Production. Only for <c>./scripts/lighthouse</c>, which audits the pages with the
    /// market trading; the app refuses to start with it unless the provider is Simulated.
    /// </summary>
    public bool DemoInProduction { get; set; }
    /// <summary>Years of daily history generated on first start.</summary>
    public int HistoryYears { get; set; } = 5;
}

public sealed class CasablancaBourseOptions
{
    public string BaseUrl { get; set; } = "https://www.casablanca-bourse.com/api/proxy/fr/api/";
    public int PollSeconds { get; set; } = 60;
    /// <summary>Requests per minute the adapter allows itself.</summary>
    public int RequestsPerMinute { get; set; } = 20;
    public int TimeoutSeconds { get; set; } = 15;
    /// <summary>The website's internal instrument ids, needed by the history endpoint: ticker → id.</summary>
    public Dictionary<string, string> InstrumentIds { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Other spellings of a ticker seen in the dashboard's rows → the catalogue's (the exchange's) ticker. An exact
    /// match always wins over an alias. Added to <see cref="DefaultTickerAliases"/>.
    /// </summary>
    public Dictionary<string, string> TickerAliases { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Spellings other sites and open-source clients use for exchange tickers (see docs/operations.md).</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultTickerAliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["DARI"] = "DRI",
        ["DWAY"] = "DWY",
        ["IBMC"] = "IBC",
        ["SOD"] = "MSA",
    };
}

public sealed class EodhdOptions
{
    public string BaseUrl { get; set; } = "https://eodhd.com/api/";
    public string ApiToken { get; set; } = "";
    /// <summary>EODHD's exchange code for Casablanca: symbols are TICKER.BC.</summary>
    public string ExchangeSuffix { get; set; } = "BC";
    public int PollSeconds { get; set; } = 300;
    public int RequestsPerMinute { get; set; } = 10;
    public int MaxSymbolsPerRequest { get; set; } = 15;
    public int TimeoutSeconds { get; set; } = 15;
}
