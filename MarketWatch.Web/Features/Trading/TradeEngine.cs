using System.Text.Json;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Live;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Trading;

/// <summary>
/// The order engine, on every instance: it takes the ingest's ticks from the instance's <see cref="QuoteListener"/> and
/// LISTENs to order changes (<see cref="TradingChannels.OrdersChanged"/>), keeps the live orders as price levels
/// (<see cref="OrderBook"/>), and while the market is in continuous trading finds the orders each trade reaches, sizes
/// each fill by the participation cap (<see cref="FillPlanner"/>) and claims them (<see cref="TradeClaims"/>). Two
/// instances evaluating the same tick both try to claim; the database lets one win each fill. What no instance evaluated
/// (a restart, a lost connection) the minute sweep catches up.
/// </summary>
public sealed class TradeEngine(
    NpgsqlDataSource dataSource,
    TradeClaims claims,
    MarketStatusService market,
    QuoteListener quotes,
    DatabaseHealth health,
    IServiceScopeFactory scopes,
    IOptions<TradingOptions> options,
    TimeProvider clock,
    ILogger<TradeEngine> logger) : BackgroundService, IQuoteBatchConsumer
{
    /// <summary>Ticks kept for the work loop past this are merged to the latest per instrument (a slow database must not grow memory).</summary>
    private const int MaxPendingTicks = 20_000;

    private readonly Lock _gate = new();
    /// <summary>Guards changes of the book (by the work loop) against <see cref="Holds"/>; the loop reads it without.</summary>
    private readonly Lock _bookGate = new();
    private readonly WakeUp _wake = new(clock);
    private List<QuoteRow> _ticks = [];
    private HashSet<long> _changed = [];
    private bool _reloadAll = true;
    private OrderBook _book = new();
    private int _live;
    private long _fills;
    private long _fullLoads;
    private long _evaluatedThrough = DateTimeOffset.MinValue.UtcTicks;
    private bool _listening;

    /// <summary>Live orders held in memory.</summary>
    public int Live => Volatile.Read(ref _live);
    /// <summary>Fills this instance won.</summary>
    public long Fills => Interlocked.Read(ref _fills);
    /// <summary>Full loads of the live orders: at start, after a lost connection, every <see cref="TradingOptions.FullReloadMinutes"/>.</summary>
    public long FullLoads => Interlocked.Read(ref _fullLoads);
    /// <summary>
    /// The newest quote time this instance has evaluated and claimed for (or found nothing to do, the market being
    /// closed): a tick stored at or before it is done with here.
    /// </summary>
    public DateTimeOffset EvaluatedThrough => new(Interlocked.Read(ref _evaluatedThrough), TimeSpan.Zero);
    /// <summary>Both feeds in place: order changes (this engine's LISTEN) and ticks (the instance's quote listener).</summary>
    public bool Listening => Volatile.Read(ref _listening) && quotes.Listening;

    /// <summary>Whether this order is in memory as live (what a caller waits for before sending a tick that should reach it).</summary>
    public bool Holds(long orderId)
    {
        lock (_bookGate)
        {
            return _book.Contains(orderId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Engine)
        {
            return;
        }
        var worker = Task.Run(() => WorkLoopAsync(stoppingToken), stoppingToken);
        await PostgresListener.RunAsync(dataSource, [TradingChannels.OrdersChanged], OnNotification, listening =>
        {
            Volatile.Write(ref _listening, listening);
            if (listening)
            {
                // Whatever changed while not listening: start from the database again.
                Wake(reloadAll: true);
            }
        }, health, health.Listener(TradingChannels.OrdersChanged), logger, stoppingToken);
        await worker.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        lock (_gate)
        {
            try
            {
                if (e.Payload == PostgresListener.Everything)
                {
                    _reloadAll = true;
                }
                else
                {
                    _changed.UnionWith(JsonSerializer.Deserialize<long[]>(e.Payload) ?? []);
                }
            }
            catch (JsonException)
            {
                _reloadAll = true;
            }
        }
        _wake.Signal();
    }

    /// <summary>The instance's ticks, kept in order for the work loop (a limit touched by a tick between two others still fills).</summary>
    public Task OnQuotesAsync(QuoteBatch batch, CancellationToken cancellationToken)
    {
        if (!options.Value.Engine)
        {
            return Task.CompletedTask;
        }
        lock (_gate)
        {
            _reloadAll |= batch.Resync;
            _ticks.AddRange(batch.Quotes);
            if (_ticks.Count > MaxPendingTicks)
            {
                _ticks = _ticks.GroupBy(q => q.Ticker, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).ToList();
            }
        }
        _wake.Signal();
        return Task.CompletedTask;
    }

    private void Wake(bool reloadAll)
    {
        lock (_gate)
        {
            _reloadAll |= reloadAll;
        }
        _wake.Signal();
    }

    private async Task WorkLoopAsync(CancellationToken stoppingToken)
    {
        var loadedAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(TimeSpan.FromMinutes(1), stoppingToken);
                if (!Listening)
                {
                    // Ticks or changes could be missed: wait for both feeds; the listener's resync wakes this loop again.
                    continue;
                }
                List<QuoteRow> ticks;
                HashSet<long> changed;
                bool reloadAll;
                lock (_gate)
                {
                    (ticks, changed, reloadAll) = (_ticks, _changed, _reloadAll);
                    _ticks = [];
                    _changed = [];
                    _reloadAll = false;
                }
                if (clock.GetUtcNow() - loadedAt > TimeSpan.FromMinutes(options.Value.FullReloadMinutes))
                {
                    reloadAll = true;
                }
                if (reloadAll)
                {
                    await LoadAllAsync(stoppingToken);
                    loadedAt = clock.GetUtcNow();
                }
                else if (changed.Count > 0)
                {
                    await ReloadAsync(changed, stoppingToken);
                }
                if (ticks.Count > 0)
                {
                    await EvaluateAsync(ticks, stoppingToken);
                    var newest = ticks.Max(t => t.Time) ?? DateTimeOffset.MinValue;
                    if (newest > EvaluatedThrough)
                    {
                        Interlocked.Exchange(ref _evaluatedThrough, newest.UtcTicks);
                    }
                }
                Volatile.Write(ref _live, _book.Count);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The order engine failed to evaluate; reloading from the database");
                Wake(reloadAll: true);
                await Task.Delay(1000, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Every tick of the batch, while the market trades continuously: the orders it reaches become requests (one per
    /// order per batch: the claim's check is on the filled quantity this instance saw), claimed together; then the orders the
    /// claim touched are read again (what this instance or another did to them), and buys that could not be paid for
    /// are rejected.
    /// </summary>
    private async Task EvaluateAsync(List<QuoteRow> ticks, CancellationToken cancellationToken)
    {
        if (market.Now().Phase != MarketPhase.Continuous)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var rate = options.Value.ParticipationRate;
        var requests = new List<FillRequest>();
        var planned = new HashSet<long>();
        var matches = new List<Match>();
        FeeSchedule? schedule = null;
        // Newest first: an order gets the newest trade of the batch that reaches it (the most volume, so the largest
        // cap); an older trade still reaches the orders only its price satisfies.
        for (var i = ticks.Count - 1; i >= 0; i--)
        {
            var quote = ticks[i];
            if (quote is not { Last: { } price, Time: { } time } || price <= 0)
            {
                continue;
            }
            matches.Clear();
            _book.Reached(quote.Ticker, price, matches);
            foreach (var match in matches)
            {
                if (planned.Contains(match.Order.Id))
                {
                    continue;
                }
                schedule ??= await FeesAsync(cancellationToken);
                var fees = schedule;
                if (FillPlanner.Plan(match, price, time, quote.Volume ?? 0, rate, now, amount => fees.TradeFees(amount, false)) is { } request)
                {
                    requests.Add(request);
                    planned.Add(request.OrderId);
                }
            }
        }
        if (requests.Count == 0)
        {
            return;
        }
        var result = await claims.FillAsync(requests, "engine", cancellationToken);
        Interlocked.Add(ref _fills, result.Fills);
        if (result.ShortOfCash.Count > 0)
        {
            await claims.RejectAsync(result.ShortOfCash, TradeClaims.NotEnoughCash.Key, cancellationToken);
        }
        // Won or lost, each requested order is read again: its filled quantity, state and participation base as they now are.
        await ReloadAsync(planned, cancellationToken);
    }

    private async Task<FeeSchedule> FeesAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FeeSchedules>().GetAsync(cancellationToken);
    }

    private static readonly string LiveOrders = $"""
        SELECT o.id, o.account_id, i.ticker, o.side, o.type, o.quantity, o.filled_quantity, o.limit_price, o.stop_price, o.state,
               o.triggered_at IS NOT NULL, o.active_since, o.volume_date, o.volume_base, o.filled_at_base, o.expires_at, o.created_at
        FROM paper_orders o JOIN instruments i ON i.id = o.instrument_id
        WHERE o.state IN ({(int)OrderState.Pending}, {(int)OrderState.Open}, {(int)OrderState.PartiallyFilled})
        """;

    private async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        var book = new OrderBook();
        foreach (var order in await ReadAsync(LiveOrders, null, cancellationToken))
        {
            book.Add(order);
        }
        lock (_bookGate)
        {
            _book = book;
        }
        Interlocked.Increment(ref _fullLoads);
        logger.LogInformation("Order engine loaded {Live} live orders", book.Count);
    }

    private async Task ReloadAsync(IReadOnlyCollection<long> orderIds, CancellationToken cancellationToken)
    {
        var ids = orderIds.ToArray();
        var orders = await ReadAsync(LiveOrders + " AND o.id = ANY(@ids)", ids, cancellationToken);
        lock (_bookGate)
        {
            foreach (var id in ids)
            {
                _book.Remove(id);
            }
            foreach (var order in orders)
            {
                _book.Add(order);
            }
        }
    }

    private async Task<List<LiveOrder>> ReadAsync(string sql, long[]? ids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        if (ids is not null)
        {
            command.Parameters.AddWithValue("ids", ids);
        }
        var orders = new List<LiveOrder>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            orders.Add(new LiveOrder
            {
                Id = reader.GetInt64(0),
                AccountId = reader.GetInt32(1),
                Ticker = reader.GetString(2),
                Side = (OrderSide)reader.GetInt32(3),
                Type = (OrderType)reader.GetInt32(4),
                Quantity = reader.GetInt64(5),
                Filled = reader.GetInt64(6),
                Limit = reader.IsDBNull(7) ? null : reader.GetDecimal(7),
                Stop = reader.IsDBNull(8) ? null : reader.GetDecimal(8),
                State = (OrderState)reader.GetInt32(9),
                Triggered = reader.GetBoolean(10),
                ActiveSince = reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
                VolumeDate = reader.IsDBNull(12) ? null : reader.GetFieldValue<DateOnly>(12),
                VolumeBase = reader.GetInt64(13),
                FilledAtBase = reader.GetInt64(14),
                ExpiresAt = reader.GetFieldValue<DateTimeOffset>(15),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(16),
            });
        }
        return orders;
    }
}

public static class TradeEngineSetup
{
    /// <summary>The fill claim and the in-memory order engine (a quote consumer of this instance's listener).</summary>
    public static IServiceCollection AddTradeEngine(this IServiceCollection services)
    {
        services.AddSingleton<TradeClaims>();
        services.AddSingleton<TradeEngine>();
        services.AddHostedService(provider => provider.GetRequiredService<TradeEngine>());
        services.AddSingleton<IQuoteBatchConsumer>(provider => provider.GetRequiredService<TradeEngine>());
        return services;
    }
}
