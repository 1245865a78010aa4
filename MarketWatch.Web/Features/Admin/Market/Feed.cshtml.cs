using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Features.Market.Providers;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Admin.Market;

/// <summary>
/// Can the prices be trusted right now: the provider, the latest stored quote, what the feed reported, and the ticks the
/// feed-sanity check held back, which an admin confirms (the ingest applies it at its next poll) or discards.
/// </summary>
public sealed class FeedModel(
    DbContext db, IMarketDataProvider provider, FeedStatus status, IOptions<MarketDataOptions> options, TimeProvider clock,
    IStringLocalizer<SharedResource> L) : PageModel
{
    public const int QuarantineShown = 100;

    public IMarketDataProvider Provider => provider;
    public FeedStatus Status => status;
    public FeedSanityRules Sanity { get; } = FeedSanityRules.From(options.Value);
    public DateTimeOffset? LatestQuote { get; private set; }
    public int QuotedInstruments { get; private set; }
    public int ActiveInstruments { get; private set; }
    public IReadOnlyList<FeedEvent> Events { get; private set; } = [];
    public int PendingCount { get; private set; }
    public IReadOnlyList<QuarantineRow> Quarantine { get; private set; } = [];

    public sealed record QuarantineRow(
        long Id, string Ticker, DateTimeOffset Time, decimal Price, decimal ReferencePrice, decimal ChangePercent,
        QuarantineReason Reason, QuarantineStatus Status, string Source, string? ResolvedBy, DateTimeOffset? ResolvedAt, DateTimeOffset? AppliedAt);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        LatestQuote = await db.Quotes.MaxAsync(q => (DateTimeOffset?)q.Time, cancellationToken);
        QuotedInstruments = await db.Quotes.CountAsync(cancellationToken);
        ActiveInstruments = await db.Instruments.CountAsync(i => i.IsActive, cancellationToken);
        Events = await db.FeedEvents.AsNoTracking().OrderByDescending(e => e.Id).Take(100).ToListAsync(cancellationToken);
        PendingCount = await db.QuarantinedTicks.CountAsync(q => q.Status == QuarantineStatus.Pending, cancellationToken);
        // What waits for a decision first, then the latest decisions.
        Quarantine = await (
                from q in db.Set<QuarantinedTick>()
                join i in db.Set<Instrument>() on q.InstrumentId equals i.Id
                orderby q.Status == QuarantineStatus.Pending descending, q.Id descending
                select new QuarantineRow(q.Id, i.Ticker, q.Time, q.Price, q.ReferencePrice, q.ChangePercent, q.Reason, q.Status,
                    q.Source, q.ResolvedBy, q.ResolvedAt, q.AppliedAt))
            .AsNoTracking()
            .Take(QuarantineShown)
            .ToListAsync(cancellationToken);
    }

    /// <summary>A real move: the ingest makes it the instrument's price (and the session's new reference) at its next poll.</summary>
    public async Task<IActionResult> OnPostConfirmAsync(long id, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return BadRequest();
        }
        // A price that is not positive is never a real move: it can only be discarded.
        var changed = await ResolveAsync(id, QuarantineStatus.Confirmed, allowNotPositive: false, cancellationToken);
        if (changed == 0 && !await db.QuarantinedTicks.AnyAsync(q => q.Id == id, cancellationToken))
        {
            return NotFound();
        }
        TempData["Status"] = changed == 1
            ? L["The tick was confirmed: the ingest makes it the price at its next poll."].Value
            : L["This tick no longer waits for a decision."].Value;
        return RedirectToPage();
    }

    /// <summary>A glitch: the tick stays in the list, discarded, and never becomes a price.</summary>
    public async Task<IActionResult> OnPostDiscardAsync(long id, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return BadRequest();
        }
        var changed = await ResolveAsync(id, QuarantineStatus.Discarded, allowNotPositive: true, cancellationToken);
        if (changed == 0 && !await db.QuarantinedTicks.AnyAsync(q => q.Id == id, cancellationToken))
        {
            return NotFound();
        }
        TempData["Status"] = changed == 1
            ? L["The tick was discarded."].Value
            : L["This tick no longer waits for a decision."].Value;
        return RedirectToPage();
    }

    /// <summary>Records the admin's decision on a tick still waiting for one (1), or changes nothing (0).</summary>
    private Task<int> ResolveAsync(long id, QuarantineStatus decision, bool allowNotPositive, CancellationToken cancellationToken) =>
        db.QuarantinedTicks
            .Where(q => q.Id == id && q.Status == QuarantineStatus.Pending && (allowNotPositive || q.Reason != QuarantineReason.NotPositive))
            .ExecuteUpdateAsync(s => s
                .SetProperty(q => q.Status, decision)
                .SetProperty(q => q.ResolvedAt, clock.GetUtcNow())
                .SetProperty(q => q.ResolvedBy, User.Identity!.Name), cancellationToken);
}
