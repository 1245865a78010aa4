using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Admin.Market;

/// <summary>Can the prices be trusted right now: the provider, the latest stored quote, and what the feed reported.</summary>
public sealed class FeedModel(DbContext db, IMarketDataProvider provider, FeedStatus status) : PageModel
{
    public IMarketDataProvider Provider => provider;
    public FeedStatus Status => status;
    public DateTimeOffset? LatestQuote { get; private set; }
    public int QuotedInstruments { get; private set; }
    public int ActiveInstruments { get; private set; }
    public IReadOnlyList<FeedEvent> Events { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        LatestQuote = await db.Quotes.MaxAsync(q => (DateTimeOffset?)q.Time, cancellationToken);
        QuotedInstruments = await db.Quotes.CountAsync(cancellationToken);
        ActiveInstruments = await db.Instruments.CountAsync(i => i.IsActive, cancellationToken);
        Events = await db.FeedEvents.AsNoTracking().OrderByDescending(e => e.Id).Take(100).ToListAsync(cancellationToken);
    }
}
