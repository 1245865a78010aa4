using Npgsql;
using MarketWatch.Web.Infrastructure.Data;
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

        // Through the payload guard: a batch of many tickers becomes "everything" rather than a refused NOTIFY.
        batch.BatchCommands.Add(PostgresListener.NotifyCommand(Channel, ticks.Select(t => t.Ticker).Distinct()));

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

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
        command.Parameters.AddArray("id", levels, l => l.IndexId, NpgsqlDbType.Integer);
        command.Parameters.AddArray("level", levels, l => l.Level, NpgsqlDbType.Numeric);
        command.Parameters.AddArray("prev", levels, l => l.PreviousClose, NpgsqlDbType.Numeric);
        command.Parameters.AddArray("change", levels, l => l.Change, NpgsqlDbType.Numeric);
        command.Parameters.AddArray("pct", levels, l => l.ChangePercent, NpgsqlDbType.Numeric);
        command.Parameters.AddArray("time", levels, l => l.Time, NpgsqlDbType.TimestampTz);
        command.Parameters.AddArray("computed", levels, l => l.IsComputed, NpgsqlDbType.Boolean);
        command.Parameters.AddArray("source", levels, l => l.Source, NpgsqlDbType.Text);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
