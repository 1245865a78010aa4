using Npgsql;
using MarketWatch.Web.Infrastructure.Data;
using NpgsqlTypes;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>A normalised tick: the instrument's new latest quote plus the shares traded since its previous tick.</summary>
public sealed record Tick(string Ticker, Quote Quote, long VolumeDelta, DateOnly SessionDate);

/// <summary>
/// Stores a poll in one round trip and one transaction: the fence (the ingest lease, checked by the write itself), the
/// quarantine rows, latest quotes, the current minute bars and today's daily bar, each with one set-based upsert over
/// arrays, index levels, then <c>NOTIFY market_quotes</c> (delivered on commit) for the live features.
/// </summary>
public sealed class QuoteStore(NpgsqlDataSource dataSource)
{
    public const string Channel = "market_quotes";

    private const string UpsertQuotes = """
        INSERT INTO quotes (instrument_id, last, open, high, low, previous_close, change, change_percent, volume, value_traded, bid, ask, time, source)
        SELECT * FROM unnest(@id, @last, @open, @high, @low, @prev, @change, @pct, @volume, @value, @bid, @ask, @time, @source)
        ON CONFLICT (instrument_id) DO UPDATE SET
            last = excluded.last, open = excluded.open, high = excluded.high, low = excluded.low,
            previous_close = excluded.previous_close, change = excluded.change, change_percent = excluded.change_percent,
            volume = excluded.volume, value_traded = excluded.value_traded, bid = excluded.bid, ask = excluded.ask,
            time = excluded.time, source = excluded.source
        WHERE quotes.time <= excluded.time
        """;

    private const string UpsertMinuteBars = """
        INSERT INTO minute_bars (instrument_id, time, open, high, low, close, volume)
        SELECT id, date_trunc('minute', t), p, p, p, p, v FROM unnest(@id, @time, @last, @delta) AS x(id, t, p, v)
        ON CONFLICT (instrument_id, time) DO UPDATE SET
            high = greatest(minute_bars.high, excluded.high), low = least(minute_bars.low, excluded.low),
            close = excluded.close, volume = minute_bars.volume + excluded.volume
        """;

    private const string UpsertDailyBars = """
        INSERT INTO daily_bars (instrument_id, date, open, high, low, close, adjusted_close, volume, source)
        SELECT id, d, o, h, l, c, c, v, s FROM unnest(@id, @date, @open, @high, @low, @last, @volume, @source) AS x(id, d, o, h, l, c, v, s)
        ON CONFLICT (instrument_id, date) DO UPDATE SET
            open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
            adjusted_close = excluded.adjusted_close, volume = excluded.volume, source = excluded.source
        """;

    /// <summary>
    /// Writes ticks outside the ingest (tests, benchmarks, tools) on a pooled connection, through the same fence: it
    /// passes only while no ingest holds the lease, so it can never interleave with one.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<Tick> ticks, CancellationToken cancellationToken)
    {
        if (ticks.Count == 0)
        {
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await WriteAsync(connection, IngestWrite.Of(ticks), cancellationToken);
    }

    /// <summary>
    /// The ingest's one write per poll: on the lease's own session, in one transaction that starts with the fence, so
    /// an instance that lost the lease writes nothing (quotes, bars, index levels, quarantine rows: all or none).
    /// </summary>
    /// <exception cref="IngestLeaseLostException">The lease is gone: nothing was written.</exception>
    public async Task WriteAsync(IngestLease lease, IngestWrite write, CancellationToken cancellationToken)
    {
        if (write.IsEmpty)
        {
            return;
        }
        try
        {
            await WriteAsync(lease.Connection, write, cancellationToken);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException { SqlState: IngestLease.LostSqlState }
                                         && lease.Connection.FullState is not System.Data.ConnectionState.Open)
        {
            // The lease's session is gone (killed, or the server restarted), and its lock with it.
            throw new IngestLeaseLostException("the ingest lease's connection is gone: nothing was written", ex);
        }
    }

    /// <summary>Admin confirmations the ingest has not applied yet (read on the lease's session, once per poll).</summary>
    public async Task<IReadOnlyList<QuarantinedTick>> ConfirmedToApplyAsync(IngestLease lease, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT id, instrument_id, time, session_date, price, volume, source FROM quarantined_ticks
            WHERE status = 'Confirmed' AND applied_at IS NULL ORDER BY id
            """, lease.Connection);
        var rows = new List<QuarantinedTick>();
        NpgsqlDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync(cancellationToken);
        }
        catch (NpgsqlException ex) when (lease.Connection.FullState is not System.Data.ConnectionState.Open)
        {
            throw new IngestLeaseLostException("the ingest lease's connection is gone", ex);
        }
        await using var _ = reader;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new QuarantinedTick
            {
                Id = reader.GetInt64(0),
                InstrumentId = reader.GetInt32(1),
                Time = reader.GetFieldValue<DateTimeOffset>(2),
                SessionDate = reader.GetFieldValue<DateOnly>(3),
                Price = reader.GetDecimal(4),
                Volume = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                Source = reader.GetString(6),
                Status = QuarantineStatus.Confirmed,
            });
        }
        return rows;
    }

    private static async Task WriteAsync(NpgsqlConnection connection, IngestWrite write, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(IngestLease.FenceSql));

        // Quarantine first: rows superseded before this poll's new ones go in, the feed's confirmations after.
        if (write.Superseded.Count > 0)
        {
            batch.BatchCommands.Add(Resolve(QuarantineStatus.Superseded, write.Superseded, write.At));
        }
        if (write.Quarantined.Count > 0)
        {
            var held = new NpgsqlBatchCommand("""
                INSERT INTO quarantined_ticks (instrument_id, time, session_date, price, reference_price, change_percent, volume, reason, status, source)
                SELECT i, t, d, p, r, c, v, reason, 'Pending', s FROM unnest(@id, @time, @date, @price, @ref, @pct, @volume, @reason, @source)
                    AS x(i, t, d, p, r, c, v, reason, s)
                """);
            var rows = write.Quarantined;
            held.Parameters.AddArray("id", rows, q => q.InstrumentId, NpgsqlDbType.Integer);
            held.Parameters.AddArray("time", rows, q => q.Time, NpgsqlDbType.TimestampTz);
            held.Parameters.AddArray("date", rows, q => q.SessionDate, NpgsqlDbType.Date);
            held.Parameters.AddArray("price", rows, q => q.Price, NpgsqlDbType.Numeric);
            held.Parameters.AddArray("ref", rows, q => q.ReferencePrice, NpgsqlDbType.Numeric);
            held.Parameters.AddArray("pct", rows, q => q.ChangePercent, NpgsqlDbType.Numeric);
            held.Parameters.AddArray("volume", rows, q => q.Volume, NpgsqlDbType.Bigint);
            held.Parameters.AddArray("reason", rows, q => q.Reason.ToString(), NpgsqlDbType.Text);
            held.Parameters.AddArray("source", rows, q => q.Source, NpgsqlDbType.Text);
            batch.BatchCommands.Add(held);
        }
        if (write.Confirmed.Count > 0)
        {
            batch.BatchCommands.Add(Resolve(QuarantineStatus.Confirmed, write.Confirmed, write.At));
        }
        if (write.Stale.Count > 0)
        {
            var stale = new NpgsqlBatchCommand("UPDATE quarantined_ticks SET status = 'Superseded', resolved_at = @at WHERE id = ANY(@ids) AND applied_at IS NULL");
            stale.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, write.At);
            stale.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, write.Stale.ToArray());
            batch.BatchCommands.Add(stale);
        }
        if (write.Applied.Count > 0)
        {
            var applied = new NpgsqlBatchCommand("UPDATE quarantined_ticks SET applied_at = @at WHERE id = ANY(@ids) AND applied_at IS NULL");
            applied.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, write.At);
            applied.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, write.Applied.ToArray());
            batch.BatchCommands.Add(applied);
        }

        var ticks = write.Ticks;
        if (ticks.Count > 0)
        {
            AddTicks(batch, ticks);
        }
        if (write.Levels.Count > 0)
        {
            batch.BatchCommands.Add(IndexLevelsCommand(write.Levels));
        }
        if (ticks.Count > 0)
        {
            // Through the payload guard: a batch of many tickers becomes "everything" rather than a refused NOTIFY.
            batch.BatchCommands.Add(PostgresListener.NotifyCommand(Channel, ticks.Select(t => t.Ticker).Distinct()));
        }

        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == IngestLease.LostSqlState)
        {
            throw new IngestLeaseLostException("another session holds the ingest lease: nothing was written", ex);
        }
    }

    /// <summary>Pending rows of these instruments become <paramref name="status"/>; the feed's confirmations count as applied.</summary>
    private static NpgsqlBatchCommand Resolve(QuarantineStatus status, IReadOnlyList<int> instrumentIds, DateTimeOffset at)
    {
        var command = new NpgsqlBatchCommand("""
            UPDATE quarantined_ticks SET status = @status, resolved_at = @at,
                applied_at = CASE WHEN @status = 'Confirmed' THEN @at END
            WHERE status = 'Pending' AND instrument_id = ANY(@ids)
            """);
        command.Parameters.AddWithValue("status", NpgsqlDbType.Text, status.ToString());
        command.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, at);
        command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Integer, instrumentIds.ToArray());
        return command;
    }

    private static void AddTicks(NpgsqlBatch batch, IReadOnlyList<Tick> ticks)
    {
        var quotes = new NpgsqlBatchCommand(UpsertQuotes);
        quotes.Parameters.AddArray("id", ticks, t => t.Quote.InstrumentId, NpgsqlDbType.Integer);
        quotes.Parameters.AddArray("last", ticks, t => t.Quote.Last, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("open", ticks, t => t.Quote.Open, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("high", ticks, t => t.Quote.High, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("low", ticks, t => t.Quote.Low, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("prev", ticks, t => t.Quote.PreviousClose, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("change", ticks, t => t.Quote.Change, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("pct", ticks, t => t.Quote.ChangePercent, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("volume", ticks, t => t.Quote.Volume, NpgsqlDbType.Bigint);
        quotes.Parameters.AddArray("value", ticks, t => t.Quote.ValueTraded, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("bid", ticks, t => t.Quote.Bid, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("ask", ticks, t => t.Quote.Ask, NpgsqlDbType.Numeric);
        quotes.Parameters.AddArray("time", ticks, t => t.Quote.Time, NpgsqlDbType.TimestampTz);
        quotes.Parameters.AddArray("source", ticks, t => t.Quote.Source, NpgsqlDbType.Text);
        batch.BatchCommands.Add(quotes);

        var minutes = new NpgsqlBatchCommand(UpsertMinuteBars);
        minutes.Parameters.AddArray("id", ticks, t => t.Quote.InstrumentId, NpgsqlDbType.Integer);
        minutes.Parameters.AddArray("time", ticks, t => t.Quote.Time, NpgsqlDbType.TimestampTz);
        minutes.Parameters.AddArray("last", ticks, t => t.Quote.Last, NpgsqlDbType.Numeric);
        minutes.Parameters.AddArray("delta", ticks, t => t.VolumeDelta, NpgsqlDbType.Bigint);
        batch.BatchCommands.Add(minutes);

        var days = new NpgsqlBatchCommand(UpsertDailyBars);
        days.Parameters.AddArray("id", ticks, t => t.Quote.InstrumentId, NpgsqlDbType.Integer);
        days.Parameters.AddArray("date", ticks, t => t.SessionDate, NpgsqlDbType.Date);
        days.Parameters.AddArray("open", ticks, t => t.Quote.Open, NpgsqlDbType.Numeric);
        days.Parameters.AddArray("high", ticks, t => t.Quote.High, NpgsqlDbType.Numeric);
        days.Parameters.AddArray("low", ticks, t => t.Quote.Low, NpgsqlDbType.Numeric);
        days.Parameters.AddArray("last", ticks, t => t.Quote.Last, NpgsqlDbType.Numeric);
        days.Parameters.AddArray("volume", ticks, t => t.Quote.Volume, NpgsqlDbType.Bigint);
        days.Parameters.AddArray("source", ticks, t => t.Quote.Source, NpgsqlDbType.Text);
        batch.BatchCommands.Add(days);
    }

    /// <summary>Index levels (from the provider, or computed) upserted by index id.</summary>
    private static NpgsqlBatchCommand IndexLevelsCommand(IReadOnlyList<IndexLevel> levels)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO index_levels (index_id, level, previous_close, change, change_percent, time, is_computed, source)
            SELECT * FROM unnest(@id, @level, @prev, @change, @pct, @time, @computed, @source)
            ON CONFLICT (index_id) DO UPDATE SET level = excluded.level, previous_close = excluded.previous_close,
                change = excluded.change, change_percent = excluded.change_percent, time = excluded.time,
                is_computed = excluded.is_computed, source = excluded.source
            """);
        command.Parameters.AddArray("id", levels, l => l.IndexId, NpgsqlDbType.Integer);
        command.Parameters.AddArray("level", levels, l => l.Level, NpgsqlDbType.Numeric);
        command.Parameters.AddArray("prev", levels, l => l.PreviousClose, NpgsqlDbType.Numeric);
        command.Parameters.AddArray("change", levels, l => l.Change, NpgsqlDbType.Numeric);
        command.Parameters.AddArray("pct", levels, l => l.ChangePercent, NpgsqlDbType.Numeric);
        command.Parameters.AddArray("time", levels, l => l.Time, NpgsqlDbType.TimestampTz);
        command.Parameters.AddArray("computed", levels, l => l.IsComputed, NpgsqlDbType.Boolean);
        command.Parameters.AddArray("source", levels, l => l.Source, NpgsqlDbType.Text);
        return command;
    }
}

/// <summary>Everything one poll of the ingest writes, in one fenced transaction.</summary>
public sealed record IngestWrite(
    IReadOnlyList<Tick> Ticks,
    IReadOnlyList<IndexLevel> Levels,
    IReadOnlyList<QuarantinedTick> Quarantined,
    IReadOnlyList<int> Superseded,
    IReadOnlyList<int> Confirmed,
    IReadOnlyList<long> Applied,
    IReadOnlyList<long> Stale,
    DateTimeOffset At)
{
    public bool IsEmpty => Ticks.Count == 0 && Levels.Count == 0 && Quarantined.Count == 0
                           && Superseded.Count == 0 && Confirmed.Count == 0 && Applied.Count == 0 && Stale.Count == 0;

    public static IngestWrite Of(IReadOnlyList<Tick> ticks) => new(ticks, [], [], [], [], [], [], ticks.Count == 0 ? default : ticks.Max(t => t.Quote.Time));

    public static IngestWrite Of(NormalizedBatch batch, IReadOnlyList<IndexLevel> levels, DateTimeOffset at) =>
        new(batch.Ticks, levels, batch.Quarantined, batch.Superseded, batch.Confirmed, batch.Applied, batch.Stale, at);
}

/// <summary>The ingest lost its lease: the write was refused in its own transaction and nothing was stored.</summary>
public sealed class IngestLeaseLostException(string message, Exception? inner = null) : Exception(message, inner);
