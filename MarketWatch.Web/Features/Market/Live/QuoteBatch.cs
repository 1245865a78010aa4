namespace MarketWatch.Web.Features.Market.Live;

/// <summary>
/// Latest quotes as this instance read them after a <c>NOTIFY market_quotes</c>, read once and handed to every consumer.
/// <paramref name="Resync"/>: the LISTEN connection was (re)established, so notifications may have been missed; the
/// quotes are then every instrument's, and a consumer that keeps its own state reloads it.
/// </summary>
public sealed record QuoteBatch(IReadOnlyList<QuoteRow> Quotes, bool Resync);
