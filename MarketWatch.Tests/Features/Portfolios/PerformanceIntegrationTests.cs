using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Features.Portfolios;

/// <summary>Performance on PostgreSQL against the simulated market's daily bars (years of them), the quotes and the computed MASI.</summary>
public sealed class PerformanceIntegrationTests : AppTest
{
    private string _userId = "";
    private int _portfolioId;
    private (int Id, string Ticker) _a, _b;
    private List<DateOnly> _sessions = [];

    [OneTimeSetUp]
    public async Task CreatePortfolioAsync()
    {
        var email = NewEmail("perf");
        await RegisterAsync(Client(), email);
        _userId = (await App.FindUserAsync(email))!.Id;
        await App.WithDbAsync(async db =>
        {
            var instruments = await db.Instruments.AsNoTracking().Where(i => i.IsActive && (i.SharesOutstanding != null || i.EstimatedShares != null))
                .OrderBy(i => i.Ticker).Select(i => new { i.Id, i.Ticker }).Take(2).ToListAsync();
            _a = (instruments[0].Id, instruments[0].Ticker);
            _b = (instruments[1].Id, instruments[1].Ticker);
            _sessions = await db.DailyBars.AsNoTracking().Where(b => b.InstrumentId == _a.Id).Select(b => b.Date).Distinct().OrderBy(d => d).ToListAsync();
            var x = _sessions[^200];
            var y = _sessions[^100];
            var portfolio = new Portfolio { UserId = _userId, Name = "Performance", CreatedAt = DateTimeOffset.UtcNow };
            db.Portfolios.Add(portfolio);
            await db.SaveChangesAsync();
            _portfolioId = portfolio.Id;
            var closeA = await CloseAsync(db, _a.Id, x);
            var closeB = await CloseAsync(db, _b.Id, y);
            db.PortfolioTransactions.AddRange(
                Tx(TransactionType.Deposit, x, null, 0, 0, 100 * closeA),
                Tx(TransactionType.Buy, x, _a.Id, 100, closeA),
                Tx(TransactionType.Deposit, y, null, 0, 0, 50 * closeB),
                Tx(TransactionType.Buy, y, _b.Id, 50, closeB));
            await db.SaveChangesAsync();
            return 0;
        });
    }

    private PortfolioTransaction Tx(TransactionType type, DateOnly date, int? instrument, decimal quantity, decimal price, decimal amount = 0) => new()
    {
        PortfolioId = _portfolioId, Type = type, Date = date, InstrumentId = instrument, Quantity = quantity, Price = price,
        Amount = instrument is null ? amount : quantity * price, CreatedAt = DateTimeOffset.UtcNow,
    };

    private static Task<decimal> CloseAsync(AppDbContext db, int instrumentId, DateOnly date) =>
        db.DailyBars.Where(b => b.InstrumentId == instrumentId && b.Date == date).Select(b => b.Close).SingleAsync();

    private async Task<T> WithPerformanceAsync<T>(Func<PortfolioPerformance, IServiceProvider, Task<T>> action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<PortfolioPerformance>(), scope.ServiceProvider);
    }

    [Test, Order(1)]
    public async Task The_series_follows_the_daily_bars_and_the_masi_matches_the_index_history()
    {
        var report = await WithPerformanceAsync((p, _) => p.GetAsync(_userId, _portfolioId, PerformanceRange.M1, CancellationToken.None));
        Assert.That(report, Is.Not.Null);
        var figures = report!.Figures;
        var closed = report.Series.Take(report.Series.Count - 1).Select(p => p.Date).ToList();
        Assert.That(closed, Is.EqualTo(_sessions.Where(d => d >= figures.From && d < figures.To).ToList()), "one point per session with bars");
        Assert.That(closed[0], Is.EqualTo(_sessions.Last(d => d <= MarketWatch.Web.Features.Market.Calendar.ExchangeCalendar.ExchangeDate(DateTimeOffset.UtcNow).AddMonths(-1))));
        Assert.That(report.Series[0].PortfolioIndex, Is.EqualTo(100m));
        Assert.That(report.Series[0].MasiIndex, Is.EqualTo(100m));

        // No flow in the last month: the TWR is the value's move, closes straight from daily_bars.
        var (valueFrom, valueTo) = await App.WithDbAsync(async db => (await ValueAsync(db, figures.From), await ValueAsync(db, _sessions[^1])));
        Assert.That(report.Series[0].Value, Is.EqualTo(Math.Round(valueFrom, 2)));
        Assert.That(report.Series[^1].Value, Is.EqualTo(Math.Round(valueTo, 2)), "no quote yet: the last close");
        Assert.That((double)figures.Twr!, Is.EqualTo((double)(valueTo / valueFrom) - 1).Within(1e-7));

        // The computed MASI over the same sessions, as the market's own index chart chains it.
        var history = await WithPerformanceAsync((_, sp) => sp.GetRequiredService<MarketQueries>().IndexHistoryAsync("MASI", ChartRange.M1, "1d", CancellationToken.None));
        decimal LevelOn(DateOnly date) => history.Last(h => h.Time <= new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds()).Close;
        Assert.That((double)figures.MasiTwr!, Is.EqualTo((double)(LevelOn(_sessions[^1]) / LevelOn(figures.From)) - 1).Within(1e-5));
        foreach (var point in report.Series.Skip(1).SkipLast(1))
        {
            Assert.That((double)point.MasiIndex!, Is.EqualTo((double)(100 * LevelOn(point.Date) / LevelOn(figures.From))).Within(1e-3), point.Date.ToString("O"));
        }
        Assert.That(report.Ranges, Has.Count.EqualTo(8));
        var all = report.Ranges[(int)PerformanceRange.All];
        Assert.That(all.From, Is.EqualTo(_sessions[^201]), "ALL starts at the session before the first transaction");
        Assert.That(all.Xirr, Is.Not.Null);
        Assert.That(all.Volatility, Is.GreaterThan(0m));
        Assert.That(all.MaxDrawdown, Is.LessThanOrEqualTo(0m));
    }

    private async Task<decimal> ValueAsync(AppDbContext db, DateOnly date)
    {
        var a = await db.DailyBars.Where(b => b.InstrumentId == _a.Id && b.Date <= date).OrderByDescending(b => b.Date).Select(b => b.Close).FirstAsync();
        var b = await db.DailyBars.Where(b => b.InstrumentId == _b.Id && b.Date <= date).OrderByDescending(b => b.Date).Select(b => b.Close).FirstAsync();
        // Cash is tracked and every deposit was spent on the buys: the value is the holdings.
        return 100 * a + (date >= _sessions[^100] ? 50 * b : 0);
    }

    [Test, Order(2)]
    public async Task Another_users_portfolio_is_missing()
    {
        var report = await WithPerformanceAsync((p, _) => p.GetAsync("someone-else", _portfolioId, PerformanceRange.All, CancellationToken.None));
        Assert.That(report, Is.Null);
    }

    [Test, Order(3)]
    public async Task A_back_dated_insert_changes_the_figures_from_its_date_only()
    {
        var before = (await WithPerformanceAsync((p, _) => p.GetAsync(_userId, _portfolioId, PerformanceRange.All, CancellationToken.None)))!;
        var date = _sessions[^150];
        await App.WithDbAsync(async db =>
        {
            db.PortfolioTransactions.Add(Tx(TransactionType.Deposit, date, null, 0, 0, 10_000));
            await db.SaveChangesAsync();
            return await db.Portfolios.Where(p => p.Id == _portfolioId).ExecuteUpdateAsync(s => s.SetProperty(p => p.Version, p => p.Version + 1));
        });
        await WithPerformanceAsync(async (p, _) => { await p.OnChangedAsync(_portfolioId, date, CancellationToken.None); return 0; });
        var (after, series) = await WithPerformanceAsync(async (p, sp) =>
        {
            var report = (await p.GetAsync(_userId, _portfolioId, PerformanceRange.All, CancellationToken.None))!;
            var portfolio = await sp.GetRequiredService<AppDbContext>().Portfolios.AsNoTracking().SingleAsync(x => x.Id == _portfolioId);
            return (report, await p.SeriesAsync(portfolio, await sp.GetRequiredService<PerformanceMarket>().CurrentAsync(CancellationToken.None), CancellationToken.None));
        });
        Assert.That(series.RecomputedDays, Is.EqualTo(series.Days.Count(d => d >= date)), "recomputed from the insert's date only");

        var earlier = before.Series.TakeWhile(p => p.Date < date).ToList();
        Assert.That(after.Series.Take(earlier.Count), Is.EqualTo(earlier));
        Assert.That(after.Series[earlier.Count].Value, Is.EqualTo(before.Series[earlier.Count].Value + 10_000));
        Assert.That(after.Series[earlier.Count].Invested, Is.EqualTo(before.Series[earlier.Count].Invested + 10_000));
        // Cash paid in is not performance: money in counts from the start of its day, so the deposit joins the base
        // (previous close + 10,000) and earns nothing as cash; the day's return is (V + 10,000) / (V₋₁ + 10,000) − 1 on
        // the values without it — no jump by the amount deposited.
        var (prev, day) = (before.Series[earlier.Count - 1], before.Series[earlier.Count]);
        var expected = (double)prev.PortfolioIndex * (double)(day.Value + 10_000) / (double)(prev.Value + 10_000);
        Assert.That((double)after.Series[earlier.Count].PortfolioIndex, Is.EqualTo(expected).Within(1e-6 * expected));
        Assert.That(after.Figures.Xirr, Is.Not.EqualTo(before.Figures.Xirr));

        // The same as a cold computation.
        App.Services.GetRequiredService<PerformanceCache>().Forget(_portfolioId);
        var cold = (await WithPerformanceAsync((p, _) => p.GetAsync(_userId, _portfolioId, PerformanceRange.All, CancellationToken.None)))!;
        Assert.That(after.Series, Is.EqualTo(cold.Series));
        Assert.That(after.Ranges, Is.EqualTo(cold.Ranges));
    }

    [Test, Order(4)]
    public async Task The_current_session_is_valued_at_the_live_quotes()
    {
        var lastA = await App.WithDbAsync(db => db.DailyBars.Where(b => b.InstrumentId == _a.Id).OrderByDescending(b => b.Date).Select(b => b.Close).FirstAsync());
        var price = Math.Round(lastA * 1.02m, 2);
        await Ticks.WriteAsync(App, (_a.Ticker, price));
        var report = (await WithPerformanceAsync((p, _) => p.GetAsync(_userId, _portfolioId, PerformanceRange.D1, CancellationToken.None)))!;
        var previous = report.Series[0].Value;
        var live = report.Series[^1];
        var b = await App.WithDbAsync(db => db.DailyBars.Where(x => x.InstrumentId == _b.Id && x.Date < live.Date).OrderByDescending(x => x.Date).Select(x => x.Close).FirstAsync());
        // 100 A at the tick's price, 50 B at its last close, and the 10,000 deposited (back-dated above) still in cash.
        Assert.That(live.Value, Is.EqualTo(100 * price + 50 * b + 10_000));
        Assert.That((double)report.Figures.Twr!, Is.EqualTo((double)(live.Value / previous) - 1).Within(1e-7));
        Assert.That(report.Figures.MasiTwr, Is.Not.Null);
    }

    [Test, Order(5)]
    public async Task A_transaction_added_through_the_core_service_is_recomputed_from_its_date_by_the_change_handler()
    {
        await WithPerformanceAsync((p, _) => p.GetAsync(_userId, _portfolioId, PerformanceRange.All, CancellationToken.None));
        var date = _sessions[^60];
        var added = await WithPerformanceAsync((_, sp) => sp.GetRequiredService<PortfolioTransactions>().AddAsync(_userId, _portfolioId,
            new TransactionInput(TransactionType.Deposit, date, null, null, null, null, 2_500m, null, null, null, null), CancellationToken.None));
        Assert.That(added.Error, Is.Null);
        var (after, series) = await WithPerformanceAsync(async (p, sp) =>
        {
            var report = (await p.GetAsync(_userId, _portfolioId, PerformanceRange.All, CancellationToken.None))!;
            var portfolio = await sp.GetRequiredService<AppDbContext>().Portfolios.AsNoTracking().SingleAsync(x => x.Id == _portfolioId);
            return (report, await p.SeriesAsync(portfolio, await sp.GetRequiredService<PerformanceMarket>().CurrentAsync(CancellationToken.None), CancellationToken.None));
        });
        // Told by the service (not a Version it had to discover), so only the sessions from the deposit on were valued.
        Assert.That(series.RecomputedDays, Is.EqualTo(series.Days.Count(d => d >= date)));
        App.Services.GetRequiredService<PerformanceCache>().Forget(_portfolioId);
        var cold = (await WithPerformanceAsync((p, _) => p.GetAsync(_userId, _portfolioId, PerformanceRange.All, CancellationToken.None)))!;
        Assert.That(after.Series, Is.EqualTo(cold.Series));
        Assert.That(after.Ranges, Is.EqualTo(cold.Ranges));
    }
}
