namespace MarketWatch.Web.Features.Market;

/// <summary>
/// What a quote partial (<c>_QuoteRow</c>, <c>_QuotePrice</c>) shows: the row, and +1 up, -1 down, 0 unchanged since the
/// previous price this instance saw (the first page load is always 0).
/// </summary>
public sealed record QuoteView(QuoteRow Row, int Direction = 0);
