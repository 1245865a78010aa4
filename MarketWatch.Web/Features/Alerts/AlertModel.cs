using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Watchlists;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>What an alert watches. The numbers are stored; never renumber.</summary>
public enum AlertCondition
{
    /// <summary>Last price at or above the level.</summary>
    PriceAbove = 0,
    /// <summary>Last price at or below the level.</summary>
    PriceBelow = 1,
    /// <summary>Previous tick below the level, this one at or above it.</summary>
    CrossesUp = 2,
    /// <summary>Previous tick above the level, this one at or below it.</summary>
    CrossesDown = 3,
    CrossesEither = 4,
    /// <summary>Change against the previous close at or above +level %.</summary>
    ChangeUp = 5,
    /// <summary>Change against the previous close at or below −level %.</summary>
    ChangeDown = 6,
    /// <summary>Up by level % or more from the lowest price of the last <c>WindowMinutes</c>.</summary>
    MoveUpWithin = 7,
    /// <summary>Down by level % or more from the highest price of the last <c>WindowMinutes</c>.</summary>
    MoveDownWithin = 8,
    /// <summary>Shares traded today at or above the level.</summary>
    VolumeAbove = 9,
    /// <summary>Last price above the highest high of the previous 52 weeks (today excluded).</summary>
    New52WeekHigh = 10,
    New52WeekLow = 11,
    /// <summary>Previous tick outside [level, level2], this one inside.</summary>
    EntersChannel = 12,
    /// <summary>Previous tick inside [level, level2], this one outside.</summary>
    ExitsChannel = 13,
    /// <summary>
    /// A position's unrealized P/L from its weighted average cost crosses level % (negative: on the way down, a
    /// stop-loss reminder; positive: on the way up, a take-profit one). Kept as a price: level2 = average cost ×
    /// (1 + level/100), re-derived whenever the portfolio changes (<see cref="PositionAlertLevels"/>); null while the
    /// portfolio holds none of the stock (the alert then waits).
    /// </summary>
    PositionPnlCrosses = 14,
    /// <summary>
    /// Indicator conditions (Analytics' <c>Indicators</c>, today's live price as today's close): the price crosses its
    /// SMA(<c>IndicatorPeriod</c>) upwards / downwards.
    /// </summary>
    SmaCrossUp = 15,
    SmaCrossDown = 16,
    /// <summary>The price crosses its EMA(<c>IndicatorPeriod</c>) upwards / downwards.</summary>
    EmaCrossUp = 17,
    EmaCrossDown = 18,
    /// <summary>RSI(<c>IndicatorPeriod</c>) crosses above / below <c>Level</c> (0–100).</summary>
    RsiCrossesAbove = 19,
    RsiCrossesBelow = 20,
    /// <summary>MACD(12, 26, 9) crosses above / below its signal line.</summary>
    MacdCrossesAboveSignal = 21,
    MacdCrossesBelowSignal = 22,
    /// <summary>Today's volume at or above <c>Level</c> × its 20-session average.</summary>
    VolumeAboveAverage = 23,
}

public enum TriggerMode
{
    /// <summary>Fires once, then the alert (or, for a watchlist alert, that instrument) is done.</summary>
    Once = 0,
    /// <summary>Fires at most once per trading session: re-armed at the next session's open.</summary>
    OncePerSession = 1,
    /// <summary>Fires every time the condition holds, then waits <c>CooldownMinutes</c>.</summary>
    EveryTime = 2,
}

public enum AlertStatus
{
    Active = 0,
    Paused = 1,
    /// <summary>A one-time alert that fired: kept for its history.</summary>
    Triggered = 2,
    Expired = 3,
}

/// <summary>The state of one (alert, instrument) pair: the unit that fires, exactly once per arming.</summary>
public enum TargetState
{
    Armed = 0,
    /// <summary>Fired; armed again at <c>RearmAt</c>.</summary>
    Cooling = 1,
    /// <summary>Fired and will not fire again (trigger mode Once).</summary>
    Done = 2,
}

/// <summary>A user's rule: a condition on one instrument, or on every instrument of a watchlist (present and future).</summary>
public sealed class Alert
{
    public const int NoteMaxLength = 500;
    public const int DefaultExpiryDays = 90;

    public long Id { get; set; }
    public required string UserId { get; set; }
    public int? InstrumentId { get; set; }
    public Instrument? Instrument { get; set; }
    public int? WatchlistId { get; set; }
    public Watchlist? Watchlist { get; set; }
    /// <summary>The portfolio whose position a <see cref="AlertCondition.PositionPnlCrosses"/> alert watches.</summary>
    public int? PortfolioId { get; set; }
    /// <summary>The portfolio's <c>Version</c> its level2 was derived at: the sweep re-derives an alert whose portfolio moved on.</summary>
    public long? PortfolioVersion { get; set; }
    public AlertCondition Condition { get; set; }
    /// <summary>The price, percentage or volume the condition compares with (the channel's low for channels).</summary>
    public decimal? Level { get; set; }
    /// <summary>The channel's high; for a position alert, the price its percentage stands for (derived, see <see cref="AlertCondition.PositionPnlCrosses"/>).</summary>
    public decimal? Level2 { get; set; }
    public int? WindowMinutes { get; set; }
    /// <summary>The N of an indicator condition (SMA, EMA, RSI); null for the others.</summary>
    public int? IndicatorPeriod { get; set; }
    public TriggerMode TriggerMode { get; set; }
    public int CooldownMinutes { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public Channel[] Channels { get; set; } = [Channel.InApp];
    public string? Note { get; set; }
    /// <summary>Evaluated only while the exchange trades (off: around the clock, for providers that tick outside sessions).</summary>
    public bool SessionOnly { get; set; } = true;
    public AlertStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastFiredAt { get; set; }
    public List<AlertTarget> Targets { get; set; } = [];
}

public sealed class AlertTarget
{
    public long AlertId { get; set; }
    public int InstrumentId { get; set; }
    public TargetState State { get; set; }
    /// <summary>The price when it was (re-)armed: the SQL sweep's "previous tick" for crossing conditions.</summary>
    public decimal? ArmedPrice { get; set; }
    /// <summary>When it was (re-)armed: identifies this arming (a claim names it).</summary>
    public DateTimeOffset ArmedAt { get; set; }
    /// <summary>The time of the quote it was armed at: only a newer quote may fire it (the provider's clock, not ours).</summary>
    public DateTimeOffset? ArmedQuoteTime { get; set; }
    public DateTimeOffset? RearmAt { get; set; }
    public int FiredCount { get; set; }
    public DateTimeOffset? LastFiredAt { get; set; }
}

/// <summary>One firing, kept for the history: what the rule was then, and the price that fired it.</summary>
public sealed class AlertFiring
{
    public long Id { get; set; }
    public long AlertId { get; set; }
    public required string UserId { get; set; }
    public int InstrumentId { get; set; }
    public Instrument Instrument { get; set; } = null!;
    public AlertCondition Condition { get; set; }
    public decimal? Level { get; set; }
    public decimal? Level2 { get; set; }
    public int? WindowMinutes { get; set; }
    public int? IndicatorPeriod { get; set; }
    public decimal Price { get; set; }
    /// <summary>What was measured when it is not the price (change %, move %, volume).</summary>
    public decimal? Value { get; set; }
    public string? Note { get; set; }
    public DateTimeOffset FiredAt { get; set; }
    /// <summary>"engine" (in memory, on a tick) or "sweep" (the SQL catch-up).</summary>
    public required string Source { get; set; }
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> e)
    {
        e.ToTable("alerts", t =>
        {
            t.HasCheckConstraint("ck_alerts_one_subject", "(instrument_id IS NULL) <> (watchlist_id IS NULL)");
        });
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(a => a.Instrument).WithMany().HasForeignKey(a => a.InstrumentId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_alerts_instruments_instrument_id");
        e.HasOne(a => a.Watchlist).WithMany().HasForeignKey(a => a.WatchlistId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_alerts_watchlists_watchlist_id");
        e.HasIndex(a => new { a.UserId, a.Status });
        e.HasIndex(a => a.WatchlistId).HasFilter("watchlist_id IS NOT NULL");
        e.HasOne<Portfolio>().WithMany().HasForeignKey(a => a.PortfolioId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_alerts_portfolios_portfolio_id");
        e.HasIndex(a => a.PortfolioId).HasFilter("portfolio_id IS NOT NULL");
        e.Property(a => a.Level).HasPrecision(20, 6);
        e.Property(a => a.Level2).HasPrecision(20, 6);
        e.Property(a => a.Note).HasMaxLength(Alert.NoteMaxLength);
        e.Property(a => a.Channels).HasConversion(
            v => v.Select(c => (int)c).ToArray(),
            v => v.Select(c => (Channel)c).ToArray(),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<Channel[]>(
                (a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, c) => HashCode.Combine(h, c)), v => v.ToArray()));
    }
}

internal sealed class AlertTargetConfiguration : IEntityTypeConfiguration<AlertTarget>
{
    public void Configure(EntityTypeBuilder<AlertTarget> e)
    {
        e.ToTable("alert_targets");
        e.HasKey(t => new { t.AlertId, t.InstrumentId });
        e.HasOne<Alert>().WithMany(a => a.Targets).HasForeignKey(t => t.AlertId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Instrument>().WithMany().HasForeignKey(t => t.InstrumentId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_alert_targets_instruments_instrument_id");
        e.HasIndex(t => t.InstrumentId);
        // The sweep's re-arm and evaluation read only these.
        e.HasIndex(t => t.RearmAt).HasFilter($"state = {(int)TargetState.Cooling}");
        e.Property(t => t.ArmedPrice).HasPrecision(20, 6);
    }
}

internal sealed class AlertFiringConfiguration : IEntityTypeConfiguration<AlertFiring>
{
    public void Configure(EntityTypeBuilder<AlertFiring> e)
    {
        e.ToTable("alert_firings");
        e.HasOne<Alert>().WithMany().HasForeignKey(f => f.AlertId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(f => f.Instrument).WithMany().HasForeignKey(f => f.InstrumentId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_alert_firings_instruments_instrument_id");
        e.HasIndex(f => new { f.UserId, f.FiredAt });
        e.HasIndex(f => new { f.AlertId, f.FiredAt });
        e.Property(f => f.Level).HasPrecision(20, 6);
        e.Property(f => f.Level2).HasPrecision(20, 6);
        e.Property(f => f.Price).HasPrecision(20, 6);
        e.Property(f => f.Value).HasPrecision(20, 6);
        e.Property(f => f.Note).HasMaxLength(Alert.NoteMaxLength);
        e.Property(f => f.Source).HasMaxLength(10);
    }
}

/// <summary>
/// An alert's outbox rows and in-app notifications go with it: the outbox (in Notifications) knows no feature, so the
/// keys from its event and test columns to the firings and alerts are mapped here. Constraint names are the ones the
/// database already has.
/// </summary>
internal sealed class AlertDeliveryConfiguration : IEntityTypeConfiguration<Delivery>
{
    public void Configure(EntityTypeBuilder<Delivery> e)
    {
        e.HasOne<AlertFiring>().WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_deliveries_alert_firing_firing_id");
        e.HasOne<Alert>().WithMany().HasForeignKey(d => d.TestSourceId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_deliveries_alert_alert_id");
    }
}

internal sealed class AlertNotificationConfiguration : IEntityTypeConfiguration<InAppNotification>
{
    public void Configure(EntityTypeBuilder<InAppNotification> e)
    {
        e.HasOne<AlertFiring>().WithMany().HasForeignKey(n => n.EventId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_notifications_alert_firing_firing_id");
        e.HasOne<Alert>().WithMany().HasForeignKey(n => n.TestSourceId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_notifications_alert_test_alert_id");
    }
}
