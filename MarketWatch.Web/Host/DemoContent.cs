using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Host;

public sealed class SeedOptions
{
    /// <summary>Create the demo account (the run command turns this on and prints the credentials; never on in Production).</summary>
    public bool DemoContent { get; set; }
    public string DemoEmail { get; set; } = "demo@marketwatch.local";
    public string DemoPassword { get; set; } = "Demo-2026-Casablanca";
}

/// <summary>
/// Demo content for the README's run command: a confirmed account to explore with, and its two portfolios built from
/// the market's own daily bars (see <see cref="SeedPortfoliosAsync"/>). Runs after the market's first-start seeding
/// (<see cref="OnStart"/> is registered after it), so the simulated history is there.
/// </summary>
public static class DemoContent
{
    public const string DemoPortfolioName = "Demo portfolio";
    public const string IncomePortfolioName = "Dividend income (holdings only)";

    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<SeedOptions>>().Value;
        var environment = scope.ServiceProvider.GetRequiredService<IWebHostEnvironment>();
        if (!options.DemoContent || environment.IsProduction())
        {
            return;
        }
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoContent));
        if (await users.FindByEmailAsync(options.DemoEmail) is null)
        {
            var registration = scope.ServiceProvider.GetRequiredService<Registration>();
            var (result, _) = await registration.RegisterAsync(options.DemoEmail, options.DemoPassword, "Demo investor", "en", emailConfirmed: true, cancellationToken);
            if (result.Succeeded)
            {
                // The password stays out of the log: scripts/run, which chose it (Seed__DemoPassword), prints it.
                logger.LogInformation("Demo account created: {Email}", options.DemoEmail);
            }
            else
            {
                logger.LogError("Demo account not created: {Errors}", string.Join("; ", result.Errors.Select(e => e.Description)));
                return;
            }
        }
        if (await users.FindByEmailAsync(options.DemoEmail) is { } demo)
        {
            await SeedPortfoliosAsync(scope.ServiceProvider, demo.Id, cancellationToken);
            await Features.Trading.PaperDemo.SeedAsync(scope.ServiceProvider, demo.Id, logger, cancellationToken);
        }
    }

    /// <summary>Seeds the demo content once the app has started its hosted services up to here (after the market's bootstrap).</summary>
    public sealed class OnStart(IServiceProvider services, IOptions<DatabaseOptions> database) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!database.Value.MigrateOnStartup)
            {
                return;
            }
            await SeedAsync(services, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    // One event of the demo history: days after its start, what happens and on what.
    private sealed record Planned(int Day, TransactionType Type, string? Ticker = null, decimal Budget = 0, decimal Share = 1, decimal Yield = 0,
        decimal Ratio = 0, string? Note = null);

    /// <summary>
    /// The demo account's portfolios, each created once (by name): "Demo portfolio" (cash tracked: deposits, ten buys over
    /// six sectors across three and a half years, a partial and a full sale, yearly dividends, a one-for-ten bonus,
    /// yearly custody fees) and a holdings-only one (no deposits: buys and dividends). Every trade is at that day's close
    /// from <c>daily_bars</c> (never an invented price); quantities follow from a budget; a dividend is a few per cent of
    /// the day's close per share; fees and taxes are left to the fee schedule. Stored through
    /// <see cref="PortfolioTransactions.AddManyAsync"/>, so every rule of the service holds.
    /// </summary>
    public static async Task SeedPortfoliosAsync(IServiceProvider services, string userId, CancellationToken cancellationToken)
    {
        var portfolios = services.GetRequiredService<PortfolioService>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoContent));
        var existing = (await portfolios.ListAsync(userId, cancellationToken)).Select(p => p.Name).ToHashSet();
        var today = ExchangeCalendar.ExchangeDate(services.GetRequiredService<TimeProvider>().GetUtcNow());
        var start = today.AddDays(-(3 * 365 + 180));
        foreach (var (name, description, plan) in new[]
                 {
                     (DemoPortfolioName, "Built from the simulated market's daily closes: deposits, buys across sectors, sales, dividends, a bonus issue.", DemoPlan()),
                     (IncomePortfolioName, "Holdings only (no deposits): what the shares cost and what they pay.", IncomePlan()),
                 })
        {
            if (existing.Contains(name))
            {
                continue;
            }
            var inputs = await BuildAsync(services.GetRequiredService<DbContext>(), plan, start, today, cancellationToken);
            if (inputs.Count == 0)
            {
                logger.LogWarning("Demo portfolio {Name} not created: no daily bars to build it from", name);
                continue;
            }
            var created = await portfolios.CreateAsync(userId, new PortfolioInput(name, description), cancellationToken);
            if (created.Value is not { } portfolio)
            {
                logger.LogWarning("Demo portfolio {Name} not created: {Error}", name, created.Error?.Message);
                continue;
            }
            var outcome = await services.GetRequiredService<PortfolioTransactions>().AddManyAsync(userId, portfolio.Id, inputs, cancellationToken);
            if (outcome.Errors.Count > 0)
            {
                logger.LogError("Demo portfolio {Name}: transactions refused: {Errors}", name,
                    string.Join("; ", outcome.Errors.Take(5).Select(e => $"row {e.Row} {e.Error.Field}: {e.Error.Message}")));
                await portfolios.DeleteAsync(userId, portfolio.Id, cancellationToken);
                continue;
            }
            logger.LogInformation("Demo portfolio {Name} created with {Count} transactions", name, outcome.Added);
        }
    }

    private static List<Planned> DemoPlan()
    {
        var plan = new List<Planned>
        {
            new(0, TransactionType.Deposit, Budget: 150_000, Note: "Opening deposit"),
            new(365, TransactionType.Deposit, Budget: 30_000),
            new(730, TransactionType.Deposit, Budget: 30_000),
            new(1095, TransactionType.Deposit, Budget: 20_000),
            new(3, TransactionType.Buy, "ATW", 30_000),
            new(3, TransactionType.Buy, "IAM", 25_000),
            new(10, TransactionType.Buy, "LHM", 20_000),
            new(40, TransactionType.Buy, "CSR", 15_000),
            new(120, TransactionType.Buy, "MNG", 15_000),
            new(200, TransactionType.Buy, "TQM", 15_000),
            new(380, TransactionType.Buy, "LBV", 15_000),
            new(400, TransactionType.Buy, "HPS", 12_000),
            new(560, TransactionType.Buy, "BCP", 15_000),
            new(740, TransactionType.Buy, "AKT", 15_000),
            new(900, TransactionType.Buy, "ATW", 10_000, Note: "Adding on a dip"),
            new(500, TransactionType.Bonus, "CSR", Ratio: 0.1m, Note: "One free share for ten"),
            new(700, TransactionType.Sell, "IAM", Share: 0.5m, Note: "Taking half off"),
            new(1000, TransactionType.Sell, "HPS", Share: 1, Note: "Sold out"),
        };
        for (var year = 0; year < 4; year++)
        {
            var day = 180 + year * 365;
            plan.Add(new(day, TransactionType.Dividend, "ATW", Yield: 0.04m));
            plan.Add(new(day + 7, TransactionType.Dividend, "IAM", Yield: 0.05m));
            plan.Add(new(day + 14, TransactionType.Dividend, "CSR", Yield: 0.045m));
            plan.Add(new(day + 21, TransactionType.Dividend, "TQM", Yield: 0.035m));
            plan.Add(new(350 + year * 365, TransactionType.Fee, Budget: 120, Note: "Custody fee"));
        }
        return plan;
    }

    private static List<Planned> IncomePlan()
    {
        var plan = new List<Planned>
        {
            new(30, TransactionType.Buy, "BCP", 20_000),
            new(210, TransactionType.Buy, "TMA", 15_000),
            new(450, TransactionType.Buy, "WAA", 15_000),
            new(800, TransactionType.Buy, "CDM", 12_000),
        };
        for (var year = 0; year < 4; year++)
        {
            var day = 190 + year * 365;
            plan.Add(new(day, TransactionType.Dividend, "BCP", Yield: 0.045m));
            plan.Add(new(day + 10, TransactionType.Dividend, "TMA", Yield: 0.04m));
            plan.Add(new(day + 20, TransactionType.Dividend, "WAA", Yield: 0.03m));
            plan.Add(new(day + 30, TransactionType.Dividend, "CDM", Yield: 0.05m));
        }
        return plan;
    }

    /// <summary>
    /// The plan as transactions on real bar dates and closes: each event moves to the instrument's first trading day on or
    /// after its day (an event with no bar before today is left out); quantities are whole shares; a sale or dividend
    /// counts the shares held then (bonus shares included); a dividend before the first buy is left out.
    /// </summary>
    private static async Task<List<TransactionInput>> BuildAsync(DbContext db, List<Planned> plan, DateOnly start, DateOnly today, CancellationToken cancellationToken)
    {
        var tickers = plan.Where(p => p.Ticker is not null).Select(p => p.Ticker!).Distinct().ToList();
        var instruments = await db.Instruments.AsNoTracking().Where(i => tickers.Contains(i.Ticker) && i.IsActive)
            .ToDictionaryAsync(i => i.Ticker, i => i.Id, cancellationToken);
        var ids = instruments.Values.ToList();
        var bars = (await db.DailyBars.AsNoTracking().Where(b => ids.Contains(b.InstrumentId) && b.Date >= start && b.Date <= today)
                .Select(b => new { b.InstrumentId, b.Date, b.Close }).ToListAsync(cancellationToken))
            .GroupBy(b => b.InstrumentId)
            .ToDictionary(g => g.Key, g => g.OrderBy(b => b.Date).Select(b => (b.Date, b.Close)).ToList());

        var events = new List<(DateOnly Date, Planned Plan, decimal Close)>();
        foreach (var p in plan)
        {
            var day = start.AddDays(p.Day);
            if (day > today)
            {
                continue;
            }
            if (p.Ticker is null)
            {
                events.Add((day, p, 0m));
                continue;
            }
            if (!instruments.TryGetValue(p.Ticker, out var id) || !bars.TryGetValue(id, out var series))
            {
                continue;
            }
            var bar = series.FirstOrDefault(b => b.Date >= day);
            if (bar.Date != default)
            {
                events.Add((bar.Date, p, bar.Close));
            }
        }

        var held = new Dictionary<string, decimal>();
        var inputs = new List<TransactionInput>();
        foreach (var (date, p, close) in events.OrderBy(e => e.Date).ThenBy(e => Ledger.Rank(e.Plan.Type)))
        {
            var quantity = p.Ticker is null ? 0 : held.GetValueOrDefault(p.Ticker);
            switch (p.Type)
            {
                case TransactionType.Deposit or TransactionType.Withdrawal or TransactionType.Fee:
                    inputs.Add(new TransactionInput(p.Type, date, null, null, null, null, p.Budget, null, null, null, p.Note));
                    break;
                case TransactionType.Buy:
                    var bought = Math.Floor(p.Budget / close);
                    if (bought > 0)
                    {
                        held[p.Ticker!] = quantity + bought;
                        inputs.Add(new TransactionInput(p.Type, date, null, p.Ticker, bought, close, null, null, null, null, p.Note));
                    }
                    break;
                case TransactionType.Sell:
                    var sold = p.Share >= 1 ? quantity : Math.Floor(quantity * p.Share);
                    if (sold > 0)
                    {
                        held[p.Ticker!] = quantity - sold;
                        inputs.Add(new TransactionInput(p.Type, date, null, p.Ticker, sold, close, null, null, null, null, p.Note));
                    }
                    break;
                case TransactionType.Dividend when quantity > 0:
                    var perShare = Math.Round(close * p.Yield, 2, MidpointRounding.AwayFromZero);
                    inputs.Add(new TransactionInput(p.Type, date, null, p.Ticker, quantity, perShare, null, null, null, null, p.Note));
                    break;
                case TransactionType.Bonus or TransactionType.Split when quantity > 0:
                    held[p.Ticker!] = p.Type == TransactionType.Bonus ? quantity + Math.Floor(quantity * p.Ratio) : Math.Floor(quantity * p.Ratio);
                    inputs.Add(new TransactionInput(p.Type, date, null, p.Ticker, null, null, null, null, null, p.Ratio, p.Note));
                    break;
            }
        }
        return inputs;
    }
}
