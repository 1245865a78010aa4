namespace MarketWatch.Web.Features.Market.Providers;

/// <summary>Settings of section <c>MarketData</c>.</summary>
public sealed class MarketDataOptions
{
    /// <summary>Simulated (default), CasablancaBourse or Eodhd.</summary>
    public string Provider { get; set; } = "Simulated";

    /// <summary>Run the ingest in this instance (one instance at a time holds the lease).</summary>
    public bool Ingest { get; set; } = true;

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
