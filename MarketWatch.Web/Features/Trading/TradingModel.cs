using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MarketWatch.Web.Features.Trading;

// The numbers of every enum below are stored; never renumber.

public enum OrderSide { Buy = 0, Sell = 1 }

public enum OrderType
{
    /// <summary>Fills at the next trade price.</summary>
    Market = 0,
    /// <summary>A buy fills at a trade at or below the limit; a sell at or above.</summary>
    Limit = 1,
    /// <summary>Triggers when a trade reaches the stop (a buy at or above it, a sell at or below), then is a market order.</summary>
    Stop = 2,
    /// <summary>Triggers like a stop, then is a limit order.</summary>
    StopLimit = 3,
}

public enum OrderValidity
{
    /// <summary>Cancelled at the close of its session (the exchange calendar's).</summary>
    Day = 0,
    /// <summary>Cancelled at the close of <see cref="PaperOrder.ExpiresOn"/>.</summary>
    GoodTillDate = 1,
    /// <summary>Cancelled at the close of the day <see cref="TradingOptions.MaxGoodTillDays"/> after entry.</summary>
    GoodTillCancelled = 2,
}

public enum OrderState
{
    /// <summary>Entered outside a trading session: waits for the next continuous session.</summary>
    Pending = 0,
    Open = 1,
    PartiallyFilled = 2,
    Filled = 3,
    Cancelled = 4,
    Rejected = 5,
}

/// <summary>Why an order was cancelled.</summary>
public enum CancelReason
{
    User = 0,
    /// <summary>Its good-till date (or the good-till-cancelled limit) passed.</summary>
    Expired = 1,
    /// <summary>A day order, at the close of its session.</summary>
    Close = 2,
    /// <summary>The account was reset.</summary>
    Reset = 3,
}

/// <summary>What an order event records (the state changes, and each fill).</summary>
public enum OrderEventKind
{
    Entered = 0,
    /// <summary>A pending order became active at the session's start.</summary>
    Activated = 1,
    /// <summary>A stop order's stop was reached.</summary>
    Triggered = 2,
    Fill = 3,
    Modified = 4,
    Cancelled = 5,
    Rejected = 6,
}

/// <summary>Settings of section <c>Trading</c>.</summary>
public sealed class TradingOptions
{
    /// <summary>Paper accounts one user may hold (competition accounts included).</summary>
    public int MaxAccountsPerUser { get; set; } = 5;
    public decimal DefaultStartingCash { get; set; } = 100_000m;
    public decimal MinStartingCash { get; set; } = 1_000m;
    public decimal MaxStartingCash { get; set; } = 100_000_000m;
    /// <summary>A fill takes at most this share of the volume traded since the order became active.</summary>
    public decimal ParticipationRate { get; set; } = 0.10m;
    /// <summary>The daily static threshold around the reference price (the regulator's ±10% in continuous trading).</summary>
    public decimal PriceLimitRate { get; set; } = 0.10m;
    /// <summary>How long a good-till-cancelled order lives, and the furthest a good-till date may be.</summary>
    public int MaxGoodTillDays { get; set; } = 90;
    public int MaxOpenOrdersPerAccount { get; set; } = 200;
    public long MaxOrderQuantity { get; set; } = 100_000_000;
    /// <summary>Evaluate ticks in memory on this instance (the minute sweep runs regardless, through Hangfire).</summary>
    public bool Engine { get; set; } = true;
    /// <summary>Reload every live order this often, a safety net for a missed notification.</summary>
    public int FullReloadMinutes { get; set; } = 10;
}

/// <summary>
/// A paper-trading account: a portfolio of kind <see cref="PortfolioKind.Paper"/> (same id) whose transactions are the
/// fills. Cash is kept here too, as the engine needs it in one statement: <see cref="Cash"/> is free to spend,
/// <see cref="ReservedCash"/> is held by open buy orders; free + reserved + cost of buys − proceeds of sells = start.
/// </summary>
public sealed class PaperAccount
{
    public const int DisplayNameMaxLength = 40;

    /// <summary>The portfolio's id.</summary>
    public int Id { get; set; }
    public required string UserId { get; set; }
    public decimal StartingCash { get; set; }
    public decimal Cash { get; set; }
    public decimal ReservedCash { get; set; }
    /// <summary>1 at opening; a reset starts the next run.</summary>
    public int Run { get; set; } = 1;
    public DateTimeOffset RunStartedAt { get; set; }
    /// <summary>Shown on the leaderboard (opt-in) under <see cref="DisplayName"/>.</summary>
    public bool OnLeaderboard { get; set; }
    public string? DisplayName { get; set; }
    public int? CompetitionId { get; set; }
    /// <summary>Where fills and rejections are told (in-app always works; the others as the user's settings allow).</summary>
    public Channel[] Channels { get; set; } = [Channel.InApp, Channel.Push];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Shares held in a paper account, and those held back by open sell orders.</summary>
public sealed class PaperPosition
{
    public int AccountId { get; set; }
    public int InstrumentId { get; set; }
    public long Quantity { get; set; }
    /// <summary>Held by open sell orders; available = <see cref="Quantity"/> − this.</summary>
    public long Reserved { get; set; }
}

public sealed class PaperOrder
{
    public long Id { get; set; }
    public int AccountId { get; set; }
    public required string UserId { get; set; }
    /// <summary>The account's run it belongs to.</summary>
    public int Run { get; set; }
    public int InstrumentId { get; set; }
    public Instrument? Instrument { get; set; }
    public OrderSide Side { get; set; }
    public OrderType Type { get; set; }
    public long Quantity { get; set; }
    public long FilledQuantity { get; set; }
    public decimal? LimitPrice { get; set; }
    public decimal? StopPrice { get; set; }
    public OrderValidity Validity { get; set; }
    /// <summary>The good-till date the user gave (null for the other validities).</summary>
    public DateOnly? ExpiresOn { get; set; }
    /// <summary>When it is cancelled if not done: the close of its last session (day, date, or the good-till-cancelled limit).</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    public OrderState State { get; set; }
    public CancelReason? CancelReason { get; set; }
    /// <summary>A resource key saying why it was rejected.</summary>
    public string? RejectReason { get; set; }
    /// <summary>A stop's stop was reached (from then on it is a market or limit order).</summary>
    public DateTimeOffset? TriggeredAt { get; set; }
    /// <summary>Cash held for the unfilled part of a buy (amount at the reservation price plus estimated fees).</summary>
    public decimal ReservedCash { get; set; }
    /// <summary>The price a buy's reservation was made at (its limit, or the day's upper threshold for market and stop orders).</summary>
    public decimal? ReservationPrice { get; set; }
    /// <summary>When it became active (entered during a session, or the session's start for a pending order).</summary>
    public DateTimeOffset? ActiveSince { get; set; }
    /// <summary>The session date the participation base belongs to.</summary>
    public DateOnly? VolumeDate { get; set; }
    /// <summary>The instrument's cumulative volume of <see cref="VolumeDate"/> when it became active (or 0 from that session's start).</summary>
    public long VolumeBase { get; set; }
    /// <summary><see cref="FilledQuantity"/> at that moment: the cap counts fills since.</summary>
    public long FilledAtBase { get; set; }
    public decimal FilledAmount { get; set; }
    public decimal FeesPaid { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public long Remaining => Quantity - FilledQuantity;
    public bool IsLive => State is OrderState.Pending or OrderState.Open or OrderState.PartiallyFilled;
    public decimal? AverageFillPrice => FilledQuantity == 0 ? null : Math.Round(FilledAmount / FilledQuantity, 4);
}

/// <summary>Every state change of an order, and each fill, with its time (the order's history).</summary>
public sealed class PaperOrderEvent
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public OrderEventKind Kind { get; set; }
    /// <summary>The order's state after the event.</summary>
    public OrderState State { get; set; }
    public DateTimeOffset Time { get; set; }
    /// <summary>A fill's quantity and price; a modification's new quantity and price.</summary>
    public long? Quantity { get; set; }
    public decimal? Price { get; set; }
    /// <summary>A fill's fees.</summary>
    public decimal? Fees { get; set; }
    /// <summary>A fill's portfolio transaction.</summary>
    public long? TransactionId { get; set; }
    /// <summary>Why (a resource key): rejection and cancellation reasons.</summary>
    public string? Reason { get; set; }
}

/// <summary>The result of a finished run, kept when the account is reset.</summary>
public sealed class PaperRun
{
    public long Id { get; set; }
    public int AccountId { get; set; }
    public int Run { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset EndedAt { get; set; }
    public decimal StartingCash { get; set; }
    /// <summary>Cash plus holdings at their last price when it ended.</summary>
    public decimal EndingEquity { get; set; }
    /// <summary>Time-weighted return over the run, a fraction (0.12 = 12 %; null when it could not be computed).</summary>
    public decimal? Return { get; set; }
    public int Fills { get; set; }
}

/// <summary>A paper-trading competition an admin created: users join it with a fresh account.</summary>
public sealed class PaperCompetition
{
    public const int NameMaxLength = 80;
    public const int RulesMaxLength = 2000;

    public int Id { get; set; }
    public required string Name { get; set; }
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }
    public decimal StartingCash { get; set; }
    public string? Rules { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One price band of the tick grid: from <see cref="MinPrice"/> (inclusive) up to the next band, prices move by <see cref="Tick"/>.</summary>
public sealed class TickSizeBand
{
    public int Id { get; set; }
    public decimal MinPrice { get; set; }
    public decimal Tick { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

public static class TradingTables
{
    extension(DbContext db)
    {
        public DbSet<PaperAccount> PaperAccounts => db.Set<PaperAccount>();
        public DbSet<PaperPosition> PaperPositions => db.Set<PaperPosition>();
        public DbSet<PaperOrder> PaperOrders => db.Set<PaperOrder>();
        public DbSet<PaperOrderEvent> PaperOrderEvents => db.Set<PaperOrderEvent>();
        public DbSet<PaperRun> PaperRuns => db.Set<PaperRun>();
        public DbSet<PaperCompetition> PaperCompetitions => db.Set<PaperCompetition>();
        public DbSet<TickSizeBand> TickSizeBands => db.Set<TickSizeBand>();
    }
}

internal sealed class PaperAccountConfiguration : IEntityTypeConfiguration<PaperAccount>
{
    public void Configure(EntityTypeBuilder<PaperAccount> e)
    {
        e.ToTable("paper_accounts");
        e.Property(a => a.Id).ValueGeneratedNever();
        e.HasOne<Portfolio>().WithOne().HasForeignKey<PaperAccount>(a => a.Id).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<PaperCompetition>().WithMany().HasForeignKey(a => a.CompetitionId).OnDelete(DeleteBehavior.SetNull);
        e.HasIndex(a => a.UserId);
        e.HasIndex(a => a.CompetitionId).HasFilter("competition_id IS NOT NULL");
        e.Property(a => a.StartingCash).HasPrecision(20, 4);
        e.Property(a => a.Cash).HasPrecision(20, 4);
        e.Property(a => a.ReservedCash).HasPrecision(20, 4);
        e.Property(a => a.DisplayName).HasMaxLength(PaperAccount.DisplayNameMaxLength);
        e.ToTable(t => t.HasCheckConstraint("ck_paper_accounts_cash", "cash >= 0 AND reserved_cash >= 0"));
    }
}

internal sealed class PaperPositionConfiguration : IEntityTypeConfiguration<PaperPosition>
{
    public void Configure(EntityTypeBuilder<PaperPosition> e)
    {
        e.ToTable("paper_positions");
        e.HasKey(p => new { p.AccountId, p.InstrumentId });
        e.HasOne<PaperAccount>().WithMany().HasForeignKey(p => p.AccountId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Instrument>().WithMany().HasForeignKey(p => p.InstrumentId).OnDelete(DeleteBehavior.Restrict);
        e.ToTable(t => t.HasCheckConstraint("ck_paper_positions_quantity", "quantity >= 0 AND reserved >= 0 AND reserved <= quantity"));
    }
}

internal sealed class PaperOrderConfiguration : IEntityTypeConfiguration<PaperOrder>
{
    public void Configure(EntityTypeBuilder<PaperOrder> e)
    {
        e.ToTable("paper_orders");
        e.HasOne<PaperAccount>().WithMany().HasForeignKey(o => o.AccountId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(o => o.Instrument).WithMany().HasForeignKey(o => o.InstrumentId).OnDelete(DeleteBehavior.Restrict);
        // An account's orders, newest first (the pages and the API).
        e.HasIndex(o => new { o.AccountId, o.Id });
        // The engine's load and the sweep: live orders only.
        e.HasIndex(o => o.InstrumentId).HasFilter($"state IN ({(int)OrderState.Pending}, {(int)OrderState.Open}, {(int)OrderState.PartiallyFilled})")
            .HasDatabaseName("ix_paper_orders_live");
        e.Property(o => o.LimitPrice).HasPrecision(18, 4);
        e.Property(o => o.StopPrice).HasPrecision(18, 4);
        e.Property(o => o.ReservedCash).HasPrecision(20, 4);
        e.Property(o => o.ReservationPrice).HasPrecision(18, 4);
        e.Property(o => o.FilledAmount).HasPrecision(20, 4);
        e.Property(o => o.FeesPaid).HasPrecision(18, 4);
        e.Property(o => o.RejectReason).HasMaxLength(200);
        e.Ignore(o => o.Remaining);
        e.Ignore(o => o.IsLive);
        e.Ignore(o => o.AverageFillPrice);
        e.ToTable(t => t.HasCheckConstraint("ck_paper_orders_filled", "filled_quantity >= 0 AND filled_quantity <= quantity AND reserved_cash >= 0"));
    }
}

internal sealed class PaperOrderEventConfiguration : IEntityTypeConfiguration<PaperOrderEvent>
{
    public void Configure(EntityTypeBuilder<PaperOrderEvent> e)
    {
        e.ToTable("paper_order_events");
        e.HasOne<PaperOrder>().WithMany().HasForeignKey(v => v.OrderId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<PortfolioTransaction>().WithMany().HasForeignKey(v => v.TransactionId).OnDelete(DeleteBehavior.SetNull);
        e.HasIndex(v => new { v.OrderId, v.Id });
        e.HasIndex(v => v.TransactionId).HasFilter("transaction_id IS NOT NULL");
        e.Property(v => v.Price).HasPrecision(18, 4);
        e.Property(v => v.Fees).HasPrecision(18, 4);
        e.Property(v => v.Reason).HasMaxLength(200);
    }
}

internal sealed class PaperRunConfiguration : IEntityTypeConfiguration<PaperRun>
{
    public void Configure(EntityTypeBuilder<PaperRun> e)
    {
        e.ToTable("paper_runs");
        e.HasOne<PaperAccount>().WithMany().HasForeignKey(r => r.AccountId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(r => new { r.AccountId, r.Run }).IsUnique();
        e.Property(r => r.StartingCash).HasPrecision(20, 4);
        e.Property(r => r.EndingEquity).HasPrecision(20, 4);
        e.Property(r => r.Return).HasPrecision(18, 8);
    }
}

internal sealed class PaperCompetitionConfiguration : IEntityTypeConfiguration<PaperCompetition>
{
    public void Configure(EntityTypeBuilder<PaperCompetition> e)
    {
        e.ToTable("paper_competitions");
        e.Property(c => c.Name).HasMaxLength(PaperCompetition.NameMaxLength);
        e.Property(c => c.Rules).HasMaxLength(PaperCompetition.RulesMaxLength);
        e.Property(c => c.StartingCash).HasPrecision(20, 4);
        e.Property(c => c.CreatedBy).HasMaxLength(256);
    }
}

internal sealed class TickSizeBandConfiguration : IEntityTypeConfiguration<TickSizeBand>
{
    public void Configure(EntityTypeBuilder<TickSizeBand> e)
    {
        e.ToTable("tick_size_bands");
        e.HasIndex(b => b.MinPrice).IsUnique();
        e.Property(b => b.MinPrice).HasPrecision(18, 4);
        e.Property(b => b.Tick).HasPrecision(18, 4);
        e.Property(b => b.UpdatedBy).HasMaxLength(256);
        e.HasData(TickGrid.Defaults.Select((b, i) => new TickSizeBand { Id = i + 1, MinPrice = b.MinPrice, Tick = b.Tick }));
    }
}
