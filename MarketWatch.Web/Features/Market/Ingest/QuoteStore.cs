using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Web.Features.Market.Ingest;

/// <summary>A normalised tick: the instrument's new latest quote plus the shares traded since its previous tick.</summary>
public sealed record Tick(string Ticker, Quote Quote, long VolumeDelta, DateOnly SessionDate);

/// <summary>
/// Stores a batch of ticks in one round trip and one transaction: latest quotes, the current minute bars and
/// today's daily bar, each with one set-based upsert over arrays, then <c>NOTIFY market_quotes</c> (delivered
/// on commit) for the live features.
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

    public async Task WriteAsync(IReadOnlyList<Tick> ticks, CancellationToken cancellationToken)
    {
        if (ticks.Count == 0)
        {
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);

        var quotes = new NpgsqlBatchCommand(UpsertQuotes);
        AddArray(quotes, "id", ticks, t => t.Quote.InstrumentId, NpgsqlDbType.Integer);
        AddArray(quotes, "last", ticks, t => t.Quote.Last, NpgsqlDbType.Numeric);
        AddArray(quotes, "open", ticks, t => t.Quote.Open, NpgsqlDbType.Numeric);
        AddArray(quotes, "high", ticks, t => t.Quote.High, NpgsqlDbType.Numeric);
        AddArray(quotes, "low", ticks, t => t.Quote.Low, NpgsqlDbType.Numeric);
        AddArray(quotes, "prev", ticks, t => t.Quote.PreviousClose, NpgsqlDbType.Numeric);
        AddArray(quotes, "change", ticks, t => t.Quote.Change, NpgsqlDbType.Numeric);
        AddArray(quotes, "pct", ticks, t => t.Quote.ChangePercent, NpgsqlDbType.Numeric);
        AddArray(quotes, "volume", ticks, t => t.Quote.Volume, NpgsqlDbType.Bigint);
        AddArray(quotes, "value", ticks, t => t.Quote.ValueTraded, NpgsqlDbType.Numeric);
        AddArray(quotes, "bid", ticks, t => t.Quote.Bid, NpgsqlDbType.Numeric);
        AddArray(quotes, "ask", ticks, t => t.Quote.Ask, NpgsqlDbType.Numeric);
        AddArray(quotes, "time", ticks, t => t.Quote.Time, NpgsqlDbType.TimestampTz);
        AddArray(quotes, "source", ticks, t => t.Quote.Source, NpgsqlDbType.Text);
        batch.BatchCommands.Add(quotes);

        var minutes = new NpgsqlBatchCommand(UpsertMinuteBars);
        AddArray(minutes, "id", ticks, t => t.Quote.InstrumentId, NpgsqlDbType.Integer);
        AddArray(minutes, "time", ticks, t => t.Quote.Time, NpgsqlDbType.TimestampTz);
        AddArray(minutes, "last", ticks, t => t.Quote.Last, NpgsqlDbType.Numeric);
        AddArray(minutes, "delta", ticks, t => t.VolumeDelta, NpgsqlDbType.Bigint);
        batch.BatchCommands.Add(minutes);

        var days = new NpgsqlBatchCommand(UpsertDailyBars);
        AddArray(days, "id", ticks, t => t.Quote.InstrumentId, NpgsqlDbType.Integer);
        AddArray(days, "date", ticks, t => t.SessionDate, NpgsqlDbType.Date);
        AddArray(days, "open", ticks, t => t.Quote.Open, NpgsqlDbType.Numeric);
        AddArray(days, "high", ticks, t => t.Quote.High, NpgsqlDbType.Numeric);
        AddArray(days, "low", ticks, t => t.Quote.Low, NpgsqlDbType.Numeric);
        AddArray(days, "last", ticks, t => t.Quote.Last, NpgsqlDbType.Numeric);
        AddArray(days, "volume", ticks, t => t.Quote.Volume, NpgsqlDbType.Bigint);
        AddArray(days, "source", ticks, t => t.Quote.Source, NpgsqlDbType.Text);
        batch.BatchCommands.Add(days);

        var notify = new NpgsqlBatchCommand("SELECT pg_notify(@channel, @payload)");
        notify.Parameters.AddWithValue("channel", Channel);
        notify.Parameters.AddWithValue("payload", JsonSerializer.Serialize(ticks.Select(t => t.Ticker).Distinct()));
        batch.BatchCommands.Add(notify);

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static void AddArray<T>(NpgsqlBatchCommand command, string name, IReadOnlyList<Tick> ticks, Func<Tick, T> value, NpgsqlDbType type) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = ticks.Select(value).ToArray() });

    /// <summary>Index levels (from the provider, or computed) upserted by index id.</summary>
    public async Task WriteIndexLevelsAsync(IReadOnlyList<IndexLevel> levels, CancellationToken cancellationToken)
    {
        if (levels.Count == 0)
        {
            return;
        }
        await using var command = dataSource.CreateCommand("""
            INSERT INTO index_levels (index_id, level, previous_close, change, change_percent, time, is_computed, source)
            SELECT * FROM unnest(@id, @level, @prev, @change, @pct, @time, @computed, @source)
            ON CONFLICT (index_id) DO UPDATE SET level = excluded.level, previous_close = excluded.previous_close,
                change = excluded.change, change_percent = excluded.change_percent, time = excluded.time,
                is_computed = excluded.is_computed, source = excluded.source
            """);
        command.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = levels.Select(l => l.IndexId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("level", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = levels.Select(l => l.Level).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("prev", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = levels.Select(l => l.PreviousClose).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("change", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = levels.Select(l => l.Change).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("pct", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = levels.Select(l => l.ChangePercent).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("time", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = levels.Select(l => l.Time).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("computed", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = levels.Select(l => l.IsComputed).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("source", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = levels.Select(l => l.Source).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
