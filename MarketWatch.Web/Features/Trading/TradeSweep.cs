using Hangfire;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketWatch.Web.Features.Trading;

/// <summary>What one sweep did.</summary>
/// <param name="Closed">Day orders cancelled at the close of their session.</param>
/// <param name="Expired">Good-till-date and good-till-cancelled orders cancelled when their validity ended.</param>
/// <param name="Matched">Requests the catch-up found (fills, activations, triggers), before the claim.</param>
/// <param name="Activated">Pending orders that became open.</param>
/// <param name="Filled">Fills the claim made.</param>
/// <param name="Rejected">Buys rejected because their cost exceeded their reservation and the free cash.</param>
public sealed record TradeSweepResult(int Closed, int Expired, int Matched, int Activated, int Filled, int Rejected);

/// <summary>
/// The minute job (Hangfire, recurring, never two at once): first catches up the fills no engine made, with one SQL
/// statement over the live orders and the latest quotes, claimed through <see cref="TradeClaims"/> like the engine's (so
/// a fill happens once, whoever finds it), and activates the pending orders of a session in progress; then cancels the
/// orders whose validity ended (day orders at the close, good-till orders at their date). A quote counts by its own
/// time (inside a continuous session, before the order's expiry), not by the sweep's: the last trades before the close
/// still fill when the sweep runs after it.
/// </summary>
public sealed class TradeSweep(
    NpgsqlDataSource dataSource, TradeClaims claims, MarketStatusService market, CalendarCache calendar, FeeSchedules fees,
    IOptions<TradingOptions> options, TimeProvider clock, ILogger<TradeSweep> logger)
{
    public const string JobId = "paper-sweep";

    private static readonly string Live = $"{(int)OrderState.Pending}, {(int)OrderState.Open}, {(int)OrderState.PartiallyFilled}";
    private static readonly string Stops = $"{(int)OrderType.Stop}, {(int)OrderType.StopLimit}";

    /// <summary>
    /// What the latest quote does to every live order, as the engine's rules (<see cref="OrderMatching"/>,
    /// <see cref="Participation"/>) would have at that trade: the pending orders are activated (with the trade when the
    /// instrument traded in this session since they were entered, at <c>@now</c> otherwise); an active order takes only
    /// a trade newer than the moment it became active; a stop not yet triggered is triggered by a trade that reaches it;
    /// the price condition is the limit's (market and stop orders take any price); the quantity is the participation cap
    /// on the trade's session (the base counts from 0 when the order's base is of another session). Only trades stamped
    /// inside a continuous session count (<c>@starts</c>/<c>@ends</c>: the recent sessions' continuous windows; null in
    /// demo mode, where every hour trades), and only before the order expired (the engine's <c>ExpiresAt &gt; now</c>
    /// at the trade). Without such a trade a pending order is activated at <c>@now</c> only while the market trades
    /// continuously (<c>@trading_now</c>) and before its expiry.
    /// </summary>
    /// <remarks>Every stored number is composed in from its enum as a literal; TradeSweepAgreementTests runs the
    /// engine's scenarios through both.</remarks>
    public static readonly string Evaluate = $"""
        WITH live AS (
            SELECT o.id, o.side, o.type, o.quantity, o.filled_quantity, o.limit_price, o.stop_price, o.state, o.volume_date, o.volume_base,
                   o.filled_at_base, o.expires_at, o.state = {(int)OrderState.Pending} AS activates,
                   o.type IN ({Stops}) AND o.triggered_at IS NULL AS waits_for_stop,
                   q.last, q.time, q.volume, (q.time AT TIME ZONE '{ExchangeCalendar.Zone.Id}')::date AS session
            FROM paper_orders o
            LEFT JOIN quotes q ON q.instrument_id = o.instrument_id AND q.last > 0
              AND (@starts::timestamptz[] IS NULL OR EXISTS (
                  SELECT 1 FROM unnest(@starts::timestamptz[], @ends::timestamptz[]) AS w(s, e) WHERE q.time >= w.s AND q.time < w.e))
              AND q.time > CASE WHEN o.state = {(int)OrderState.Pending} THEN o.created_at ELSE o.active_since END
              AND q.time < o.expires_at
            WHERE o.state IN ({Live}) AND o.quantity > o.filled_quantity
        ), judged AS (
            SELECT l.*,
                   l.waits_for_stop AND l.last IS NOT NULL
                       AND CASE WHEN l.side = {(int)OrderSide.Buy} THEN l.last >= l.stop_price ELSE l.last <= l.stop_price END AS triggers,
                   COALESCE(l.type IN ({(int)OrderType.Market}, {(int)OrderType.Stop})
                       OR CASE WHEN l.side = {(int)OrderSide.Buy} THEN l.last <= l.limit_price ELSE l.last >= l.limit_price END, false) AS price_allows,
                   LEAST(GREATEST(
                       floor(GREATEST(COALESCE(l.volume, 0) - CASE WHEN l.volume_date = l.session THEN l.volume_base ELSE 0 END, 0) * @rate)::bigint
                           - CASE WHEN l.volume_date = l.session THEN l.filled_quantity - l.filled_at_base ELSE 0 END, 0),
                       l.quantity - l.filled_quantity) AS allowed
            FROM live l
        )
        SELECT id, filled_quantity,
               CASE WHEN last IS NOT NULL AND price_allows AND (NOT waits_for_stop OR COALESCE(triggers, false)) THEN allowed ELSE 0 END AS qty,
               COALESCE(last, 0), COALESCE(time, @now), COALESCE(volume, 0), activates, COALESCE(triggers, false)
        FROM judged
        WHERE (last IS NULL AND activates AND @trading_now AND expires_at > @now)
           OR (last IS NOT NULL AND activates) OR COALESCE(triggers, false)
           OR (last IS NOT NULL AND price_allows AND (NOT waits_for_stop OR COALESCE(triggers, false)) AND allowed > 0)
        """;

    /// <summary>The live orders whose validity ended: day orders (the close) apart from the others (expired).</summary>
    private static readonly string Due = $"""
        SELECT id, validity = {(int)OrderValidity.Day} FROM paper_orders WHERE state IN ({Live}) AND expires_at <= @now ORDER BY id
        """;

    /// <summary>How many calendar days back a quote may be of and still be caught up (the latest quote of an instrument).</summary>
    private const int RecentSessionDays = 14;

    [DisableConcurrentExecution(timeoutInSeconds: 50)]
    [AutomaticRetry(Attempts = 0)]
    public async Task<TradeSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // The catch-up first: a trade before the close still fills an order the close then cancels (its remainder).
        var requests = await EvaluateAsync(now, cancellationToken);
        var result = await claims.FillAsync(requests, "sweep", cancellationToken);
        var rejected = result.ShortOfCash.Count == 0 ? 0
            : (await claims.RejectAsync(result.ShortOfCash, TradeClaims.NotEnoughCash.Key, cancellationToken)).Count;
        var touched = result.Orders.ToHashSet();
        var activated = requests.Count(r => r.Activates && touched.Contains(r.OrderId));
        var (closed, expired) = await RetryAsync(() => ExpireAsync(now, cancellationToken), cancellationToken);
        if (result.Fills + activated + rejected + closed + expired > 0)
        {
            logger.LogInformation("The paper sweep closed {Closed}, expired {Expired}, activated {Activated}, filled {Fills}, rejected {Rejected} orders",
                closed, expired, activated, result.Fills, rejected);
        }
        return new TradeSweepResult(closed, expired, requests.Count, activated, result.Fills, rejected);
    }

    /// <summary>Cancels the orders whose validity ended (one transaction, through <see cref="OrderCancellation"/>).</summary>
    private async Task<(int Closed, int Expired)> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var day = new List<long>();
        var other = new List<long>();
        await using (var command = new NpgsqlCommand(Due, connection))
        {
            command.Parameters.AddWithValue("now", now);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                (reader.GetBoolean(1) ? day : other).Add(reader.GetInt64(0));
            }
        }
        if (day.Count + other.Count == 0)
        {
            return (0, 0);
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var closed = await OrderCancellation.CancelAsync(connection, transaction, day, CancelReason.Close, now, cancellationToken);
        var expired = await OrderCancellation.CancelAsync(connection, transaction, other, CancelReason.Expired, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (closed.Count, expired.Count);
    }

    /// <summary>
    /// A deadlock or serialization failure with another writer of the same orders or accounts (user cancels, the engine's
    /// claims) aborted the whole attempt, which did nothing: try again, a few times (as <see cref="TradeClaims"/> does).
    /// </summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (PostgresException ex) when (attempt < 4 && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(20 * attempt, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The catch-up's requests at <paramref name="now"/> (the SQL alone; the benchmark times it against the engine),
    /// whatever the market does now: each quote is judged by its own time.
    /// </summary>
    public async Task<List<FillRequest>> EvaluateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tradingNow = market.Now().Phase == MarketPhase.Continuous;
        // Demo mode trades at every hour: any quote counts. Otherwise the continuous windows of the recent trading days
        // (a quote is the instrument's latest trade: an older one was seen, or is stale).
        DateTimeOffset[]? starts = null, ends = null;
        if (!market.IsDemoMode)
        {
            var current = calendar.Current;
            var today = ExchangeCalendar.ExchangeDate(now);
            var days = Enumerable.Range(0, RecentSessionDays).Select(i => today.AddDays(-i)).Where(current.IsTradingDay).ToList();
            starts = days.Select(d => ExchangeCalendar.At(d, current.HoursOn(d).ContinuousStart).ToUniversalTime()).ToArray();
            ends = days.Select(d => ExchangeCalendar.At(d, current.HoursOn(d).ContinuousEnd).ToUniversalTime()).ToArray();
        }
        var schedule = await fees.GetAsync(cancellationToken);
        await using var command = dataSource.CreateCommand(Evaluate);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("trading_now", tradingNow);
        command.Parameters.Add(new NpgsqlParameter("starts", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)starts ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("ends", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)ends ?? DBNull.Value });
        command.Parameters.AddWithValue("rate", options.Value.ParticipationRate);
        var requests = new List<FillRequest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var quantity = reader.GetInt64(2);
            var price = reader.GetDecimal(3);
            var time = reader.GetFieldValue<DateTimeOffset>(4);
            requests.Add(new FillRequest(reader.GetInt64(0), reader.GetInt64(1), quantity, price,
                quantity > 0 ? schedule.TradeFees(quantity * price, false) : 0, time, ExchangeCalendar.ExchangeDate(time), reader.GetInt64(5),
                reader.GetBoolean(6), reader.GetBoolean(7)));
        }
        return requests;
    }
}

public static class TradeSweepSetup
{
    /// <summary>The minute sweep: the service, and its recurring Hangfire job.</summary>
    public static IServiceCollection AddTradeSweep(this IServiceCollection services)
    {
        services.AddScoped<TradeSweep>();
        services.AddHostedService<TradeSweepRegistration>();
        return services;
    }

    /// <summary>The sweep runs every minute on whichever instance's Hangfire server takes it (never two at once).</summary>
    private sealed class TradeSweepRegistration(IRecurringJobManager recurring) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            recurring.AddOrUpdate<TradeSweep>(TradeSweep.JobId, sweep => sweep.RunAsync(CancellationToken.None), Cron.Minutely());
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
