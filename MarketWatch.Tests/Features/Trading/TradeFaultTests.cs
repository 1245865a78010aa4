using MarketWatch.Tests.Infrastructure;
using MarketWatch.Web.Features.Trading;
using Npgsql;
using static MarketWatch.Tests.Features.Trading.EngineScenario;

namespace MarketWatch.Tests.Features.Trading;

/// <summary>
/// The integration test: two app instances (child processes on one database) evaluate every tick; 1,000 orders
/// reached by one tick each fill exactly once and cash and holdings reconcile to the dirham; a kill -9 of one instance
/// mid-run loses nothing and doubles nothing. Seen from outside only: the database, and each instance's log line saying
/// its engine has loaded the orders (it loads once both of its feeds listen). Each test writes a "measured:" line.
/// </summary>
[NonParallelizable]
public sealed class TradeFaultTests
{
    private const string Ticker = "ATW";
    private const int Accounts = 100;
    private const int BuysPerAccount = 8;
    private const int SellsPerAccount = 2;
    private const int Orders = Accounts * (BuysPerAccount + SellsPerAccount);
    private static readonly Dictionary<string, string?> Settings = new() { ["MarketData:Simulated:DemoMode"] = "true" };

    private readonly List<AppProcess> _apps = [];
    private string _database = "";

    [SetUp]
    public async Task CreateDatabaseAsync() => _database = await TestDatabase.CreateAsync();

    [TearDown]
    public async Task CleanUpAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
        _apps.Clear();
        await TestDatabase.DropAsync(_database);
    }

    /// <summary>
    /// 100 accounts of 300,000 MAD, each holding 20 ATW, each with 8 buy limits at 770 and 2 sell limits at 760 of
    /// <paramref name="quantity"/> shares: a trade at 765 reaches all 1,000. ATW's volume of the day is 1,000 before them.
    /// </summary>
    private async Task<(EngineScenario Scenario, List<long> Orders)> SeedAsync(long quantity)
    {
        var scenario = new EngineScenario(_database);
        await Ticks.WriteAsync(_database, (Ticker, 762m, 1_000L));
        var accounts = await scenario.AccountsAsync(Accounts, 300_000m);
        foreach (var account in accounts)
        {
            await scenario.HoldAsync(account.Id, Ticker, SellsPerAccount * quantity, 700m);
        }
        var orders = await scenario.PlaceAsync(accounts.SelectMany(a =>
            Enumerable.Repeat(new Order(a.Id, Ticker, OrderSide.Buy, OrderType.Limit, quantity, Limit: 770m), BuysPerAccount)
                .Concat(Enumerable.Repeat(new Order(a.Id, Ticker, OrderSide.Sell, OrderType.Limit, quantity, Limit: 760m), SellsPerAccount))).ToArray());
        Assert.That(orders, Has.Count.EqualTo(Orders));
        await RecordClaimsAsync();
        return (scenario, orders);
    }

    /// <summary>Who claimed: a statement trigger records the instance (application_name) and the fills of each claim. Test scaffolding only.</summary>
    private async Task RecordClaimsAsync()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionStringFor(_database));
        await connection.OpenAsync();
        foreach (var sql in new[]
                 {
                     "CREATE TABLE test_claims (application_name text NOT NULL, fills int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())",
                     $"""
                     CREATE FUNCTION test_record_claim() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN
                         INSERT INTO test_claims (application_name, fills)
                         SELECT current_setting('application_name'), count(*) FROM made WHERE kind = {(int)OrderEventKind.Fill} HAVING count(*) > 0;
                         RETURN NULL;
                     END $$
                     """,
                     """
                     CREATE TRIGGER test_record_claim AFTER INSERT ON paper_order_events REFERENCING NEW TABLE AS made
                         FOR EACH STATEMENT EXECUTE FUNCTION test_record_claim()
                     """,
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private async Task<List<(string Instance, int Fills, DateTimeOffset At)>> ClaimsAsync()
    {
        var claims = new List<(string, int, DateTimeOffset)>();
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionStringFor(_database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT application_name, fills, at FROM test_claims ORDER BY at", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            claims.Add((reader.GetString(0), reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }
        return claims;
    }

    /// <summary>Starts both instances and waits until each engine has loaded every order with both feeds listening.</summary>
    private async Task<(AppProcess A, AppProcess B)> StartBothAsync()
    {
        var started = await Task.WhenAll(AppProcess.StartAsync("mw-a", _database, Settings), AppProcess.StartAsync("mw-b", _database, Settings));
        _apps.AddRange(started);
        foreach (var app in started)
        {
            await Eventually.TrueAsync(() => app.Output.Contains($"Order engine loaded {Orders} live orders", StringComparison.Ordinal),
                $"{app.Name}'s engine to load the {Orders} orders", TimeSpan.FromSeconds(60));
        }
        return (started[0], started[1]);
    }

    private static Func<Task<long>> Count(EngineScenario scenario, string sql) => () => scenario.ScalarAsync(sql);

    private const string FillEvents = "SELECT count(*) FROM paper_order_events WHERE kind = 3";
    private const string FilledOrders = "SELECT count(*) FROM paper_orders WHERE state = 3";

    private static string Describe(List<(string Instance, int Fills, DateTimeOffset At)> claims, DateTimeOffset tick) =>
        string.Join(", ", claims.Select(c => $"{c.Instance} {c.Fills} at +{(c.At - tick).TotalSeconds:0.000} s"));

    [Test]
    public async Task A_thousand_orders_reached_by_one_tick_on_two_instances_each_fill_exactly_once_and_reconcile_to_the_dirham()
    {
        var (scenario, orders) = await SeedAsync(quantity: 10);
        await StartBothAsync();

        var tick = await Ticks.WriteAsync(_database, (Ticker, 765m, 1_000_000L));
        await Eventually.ValueAsync(Count(scenario, FilledOrders), n => n >= Orders, $"all {Orders} orders filled", TimeSpan.FromSeconds(60));

        var claims = await ClaimsAsync();
        await TestContext.Out.WriteLineAsync($"measured: {Orders} orders reached by one tick on two instances, all filled; claims (instance, fills, after the tick): {Describe(claims, tick)}");
        Assert.That(claims.Sum(c => c.Fills), Is.EqualTo(Orders), "the claims of both instances add up to exactly one fill per order");
        var perOrder = await scenario.ScalarAsync("SELECT max(n) FROM (SELECT count(*) AS n FROM paper_order_events WHERE kind = 3 GROUP BY order_id) x");
        Assert.That(perOrder, Is.EqualTo(1), "no order filled twice");
        Assert.That(await scenario.ScalarAsync(FillEvents), Is.EqualTo(Orders));
        Assert.That(await scenario.ScalarAsync("SELECT count(*) FROM portfolio_transactions WHERE type IN (0, 1) AND created_at > now() - interval '10 minutes' AND price = 765"),
            Is.EqualTo(Orders), "one Buy/Sell transaction per fill");
        Assert.That(await scenario.ScalarAsync("SELECT count(*) FROM notifications WHERE event_source = 1"), Is.EqualTo(Orders), "one in-app notice per fill");
        Assert.That(await scenario.ReconcileAsync(), Is.Empty, "cash + reserved + fills = start; positions = the fills");
        var rows = await scenario.OrdersAsync(orders);
        Assert.That(rows.Select(r => (r.State, r.Filled)), Is.All.EqualTo((OrderState.Filled, 10L)));
    }

    [Test]
    public async Task Kill_9_of_one_instance_mid_run_loses_no_fill_and_doubles_none()
    {
        // 40 shares each, filled 10 at a time as the day's volume grows by 100 per tick (10 % participation).
        var (scenario, orders) = await SeedAsync(quantity: 40);
        var (a, b) = await StartBothAsync();

        var first = await Ticks.WriteAsync(_database, (Ticker, 765m, 1_100L));
        await Eventually.ValueAsync(Count(scenario, FillEvents), n => n >= Orders, "the first tick's 1,000 fills", TimeSpan.FromSeconds(60));

        // The second tick while the test holds the last account's row: a claim locks the accounts in id order, so the
        // first instance to claim holds all the others and waits on the test, the second waits on the first. The first
        // is killed there, inside its claim's transaction, then the test lets go.
        await using var blocker = new NpgsqlConnection(scenario.ConnectionString);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        int blockerPid;
        await using (var lockLast = new NpgsqlCommand("SELECT pg_backend_pid() FROM (SELECT id FROM paper_accounts ORDER BY id DESC LIMIT 1 FOR UPDATE) x", blocker, hold))
        {
            blockerPid = (int)(await lockLast.ExecuteScalarAsync())!;
        }
        var second = await Ticks.WriteAsync(_database, (Ticker, 765.5m, 1_200L));
        var holder = await Eventually.ValueAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(scenario.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT application_name FROM pg_stat_activity WHERE @pid = ANY(pg_blocking_pids(pid))", connection);
            command.Parameters.AddWithValue("pid", blockerPid);
            return await command.ExecuteScalarAsync() as string;
        }, name => name is not null, "an instance's claim to wait on the test's lock, holding every other account", TimeSpan.FromSeconds(60));
        var victim = holder == a.Name ? a : b;
        var survivor = victim == a ? b : a;
        victim.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        await hold.RollbackAsync();

        await Ticks.WriteAsync(_database, (Ticker, 766m, 1_300L));
        var last = await Ticks.WriteAsync(_database, (Ticker, 766.5m, 1_400L));
        await Eventually.ValueAsync(Count(scenario, FilledOrders), n => n >= Orders, $"all {Orders} orders filled by {survivor.Name}", TimeSpan.FromSeconds(60));

        var claims = await ClaimsAsync();
        await TestContext.Out.WriteLineAsync($"measured: kill -9 of {victim.Name} inside its claim of the second of four ticks ({(killedAt - second).TotalSeconds:0.000} s after it); "
                                             + $"all {Orders} orders filled; claims: {Describe(claims, first)}");
        Assert.That(survivor.HasExited, Is.False);
        Assert.That(claims.Where(c => c.At > second).Select(c => c.Instance), Is.Not.Empty.And.All.EqualTo(survivor.Name),
            $"{survivor.Name} made every fill from the second tick on: {victim.Name}'s claim of it never committed");
        var rows = await scenario.OrdersAsync(orders);
        Assert.That(rows.Select(r => (r.State, r.Filled)), Is.All.EqualTo((OrderState.Filled, 40L)), "nothing lost");
        Assert.That(await scenario.ScalarAsync("SELECT max(n) FROM (SELECT count(*) AS n FROM paper_order_events WHERE kind = 3 GROUP BY order_id) x"),
            Is.LessThanOrEqualTo(4), "at most one fill per order per tick");
        Assert.That(await scenario.ReconcileAsync(), Is.Empty, "nothing doubled: each order's fills add up to its 40 shares, cash and positions reconcile");
        Assert.That(await scenario.ScalarAsync("SELECT count(*) FROM notifications WHERE event_source = 1"), Is.EqualTo(2 * Orders),
            "each order told twice: its first partial fill and its last");
        Assert.That(last, Is.GreaterThan(first));
    }
}
