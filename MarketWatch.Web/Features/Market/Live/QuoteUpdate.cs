namespace MarketWatch.Web.Features.Market.Live;

/// <summary>A quote that changed, as a stream sends it: what the partial shows, and the hub's sequence (the event id).</summary>
public sealed record QuoteUpdate(QuoteRow Row, int Direction, long Sequence)
{
    public QuoteView View => new(Row, Direction);
}
