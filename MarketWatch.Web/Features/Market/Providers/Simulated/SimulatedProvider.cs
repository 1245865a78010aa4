using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Ingest;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Market.Providers.Simulated;

/// <summary>The default provider: the simulated Casablanca market, started from the stored prices.</summary>
public sealed class SimulatedProvider(
    IServiceScopeFactory scopes,
    IOptions<MarketDataOptions> options,
    CalendarCache calendar,
    TimeProvider clock) : IMarketDataProvider
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SimulatedMarket? _market;

    public string Name => "Simulated";
    public ProviderCapabilities Capabilities => ProviderCapabilities.Quotes | ProviderCapabilities.DailyHistory | ProviderCapabilities.Search;
    public int MaxSymbolsPerRequest => int.MaxValue;
    public TimeSpan PollInterval => TimeSpan.FromMilliseconds(Math.Max(50, options.Value.Simulated.TickIntervalMs));
    public bool IsSimulated => true;

    public async Task<ProviderSnapshot> GetQuotesAsync(IReadOnlyList<string> tickers, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var market = _market ??= await StartAsync(cancellationToken);
            var missing = tickers.Where(t => !market.Tickers.Contains(t, StringComparer.OrdinalIgnoreCase)).ToList();
            if (missing.Count > 0)
            {
                // An instrument added by an admin since the start: it joins at its reference price.
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<DbContext>();
                foreach (var instrument in await db.Instruments.AsNoTracking().Where(i => missing.Contains(i.Ticker)).ToListAsync(cancellationToken))
                {
                    market.Add(new SimulatedInstrument(instrument.Ticker, instrument.ReferencePrice, instrument.SharesForCap ?? 1_000_000));
                }
            }
            var wanted = new HashSet<string>(tickers, StringComparer.OrdinalIgnoreCase);
            return new ProviderSnapshot(market.Step(clock.GetUtcNow()).Where(q => wanted.Contains(q.Ticker)).ToList(), [], []);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<SimulatedMarket> StartAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = ExchangeCalendar.ExchangeDate(now);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var snapshot = await MarketState.LoadAsync(db, today, cancellationToken);
        var current = calendar.Current;
        return new SimulatedMarket(options.Value.Simulated.Seed, current, options.Value.Simulated.DemoMode, snapshot.Select(s =>
        {
            var quoteToday = s.Quote is { } q && ExchangeCalendar.ExchangeDate(q.Time) == today ? q : null;
            var previousClose = quoteToday?.PreviousClose ?? s.Quote?.Last ?? s.LastClose ?? s.Instrument.ReferencePrice;
            return quoteToday is null
                ? new SimulatedInstrument(s.Instrument.Ticker, previousClose, s.Instrument.SharesForCap ?? 1_000_000)
                : new SimulatedInstrument(s.Instrument.Ticker, previousClose, s.Instrument.SharesForCap ?? 1_000_000,
                    quoteToday.Last, quoteToday.Open, quoteToday.High, quoteToday.Low, quoteToday.Volume, quoteToday.ValueTraded, today,
                    SessionClosed: !options.Value.Simulated.DemoMode && current.PhaseAt(quoteToday.Time) is MarketPhase.TradingAtLast or MarketPhase.Closed);
        }));
    }

    public async Task<IReadOnlyList<ProviderBar>> GetDailyHistoryAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        return await db.DailyBars.AsNoTracking()
            .Where(b => db.Set<Instrument>().Any(i => i.Id == b.InstrumentId && i.Ticker == ticker) && b.Date >= from && b.Date <= to)
            .OrderBy(b => b.Date)
            .Select(b => new ProviderBar(ticker, b.Date, b.Open, b.High, b.Low, b.Close, b.AdjustedClose, b.Volume))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ProviderInstrument>> SearchAsync(string query, CancellationToken cancellationToken)
    {
        var folded = Catalogue.Fold(query);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        return await db.Instruments.AsNoTracking()
            .Where(i => i.SearchText.Contains(folded))
            .OrderBy(i => i.Ticker)
            .Select(i => new ProviderInstrument(i.Ticker, i.Name, i.Isin))
            .ToListAsync(cancellationToken);
    }
}
