using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Market;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>What a portfolio records. The numbers are stored; never renumber.</summary>
public enum PortfolioKind
{
    /// <summary>The user's own money, entered from broker statements.</summary>
    Real = 0,
    /// <summary>A paper-trading account: its transactions are the simulator's fills.</summary>
    Paper = 1,
}

/// <summary>A user's portfolio: holdings and cash follow from its transactions (nothing else is stored as a balance).</summary>
public sealed class Portfolio
{
    public const int NameMaxLength = 60;
    public const int DescriptionMaxLength = 500;

    public int Id { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>The base currency (MAD for the Casablanca exchange; every amount of the portfolio is in it).</summary>
    public string Currency { get; set; } = "MAD";
    public string? Description { get; set; }
    public PortfolioKind Kind { get; set; }
    /// <summary>The account is held at a bank: the schedule's custody/settlement fee applies to trades by default.</summary>
    public bool AccountAtBank { get; set; }
    /// <summary>The unguessable token of the read-only share link; null when not shared.</summary>
    public string? ShareToken { get; set; }
    /// <summary>The share link shows amounts (values, quantities); otherwise only weights and returns.</summary>
    public bool ShareShowsAmounts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Bumped by every change of its transactions (caches of figures are keyed by it).</summary>
    public long Version { get; set; }
    public List<PortfolioTransaction> Transactions { get; set; } = [];
}

/// <summary>The kinds of transaction. The numbers are stored; never renumber.</summary>
public enum TransactionType
{
    Buy = 0,
    Sell = 1,
    /// <summary>Quantity × Price is the gross dividend; Taxes the withholding (0 when the user entered the net amount).</summary>
    Dividend = 2,
    /// <summary>A fee not tied to a trade (custody, account keeping): Amount.</summary>
    Fee = 3,
    /// <summary>Cash paid in: Amount. A portfolio with deposits or withdrawals tracks its cash.</summary>
    Deposit = 4,
    Withdrawal = 5,
    /// <summary>Each share becomes Ratio shares (2 = two-for-one, 0.1 = one-for-ten); the cost basis is unchanged.</summary>
    Split = 6,
    /// <summary>Ratio free shares per share held (0.1 = one new share for ten); the cost basis is unchanged.</summary>
    Bonus = 7,
}

/// <summary>
/// One line of a portfolio's history. Amounts are in the portfolio's currency. For Buy, Sell and Dividend,
/// <see cref="Amount"/> is Quantity × Price (kept for set-based SQL); for Deposit, Withdrawal and Fee it is the amount
/// itself (Quantity and Price 0); for Split and Bonus it is 0 and <see cref="Ratio"/> says what happened.
/// </summary>
public sealed class PortfolioTransaction
{
    public const int NoteMaxLength = 500;

    public long Id { get; set; }
    public int PortfolioId { get; set; }
    public TransactionType Type { get; set; }
    /// <summary>The trade (or payment) date, in exchange time; never in the future.</summary>
    public DateOnly Date { get; set; }
    public TimeOnly? Time { get; set; }
    /// <summary>Null for Deposit, Withdrawal and a portfolio-level Fee.</summary>
    public int? InstrumentId { get; set; }
    public Instrument? Instrument { get; set; }
    public decimal Quantity { get; set; }
    public decimal Price { get; set; }
    public decimal Amount { get; set; }
    /// <summary>Brokerage, exchange commission, settlement and VAT on them, as charged (the schedule's estimate unless the user gave it).</summary>
    public decimal Fees { get; set; }
    /// <summary>Tax withheld: capital-gains tax on a sell (when the user wants it counted), dividend withholding.</summary>
    public decimal Taxes { get; set; }
    /// <summary>The fee schedule supplied <see cref="Fees"/> (the user left it empty): an edit recomputes it.</summary>
    public bool FeesDefaulted { get; set; }
    /// <summary>
    /// The fee schedule supplied <see cref="Taxes"/> (the user left it empty): a sell's capital-gains tax is re-derived
    /// whenever a change to its instrument's history moves its gain; an edit recomputes it.
    /// </summary>
    public bool TaxesDefaulted { get; set; }
    public decimal? Ratio { get; set; }
    public string? Note { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Settings of section <c>Portfolios</c>.</summary>
public sealed class PortfolioOptions
{
    public int MaxPerUser { get; set; } = 10;
    /// <summary>Transactions one portfolio may hold (a guard against runaway imports, far above any real account).</summary>
    public int MaxTransactions { get; set; } = 50_000;
}

public static class PortfolioTables
{
    extension(DbContext db)
    {
        public DbSet<Portfolio> Portfolios => db.Set<Portfolio>();
        public DbSet<PortfolioTransaction> PortfolioTransactions => db.Set<PortfolioTransaction>();
        public DbSet<FeeSchedule> FeeSchedules => db.Set<FeeSchedule>();
    }
}

internal sealed class PortfolioConfiguration : IEntityTypeConfiguration<Portfolio>
{
    public void Configure(EntityTypeBuilder<Portfolio> e)
    {
        e.ToTable("portfolios");
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(p => p.UserId);
        e.HasIndex(p => p.ShareToken).IsUnique();
        e.Property(p => p.Name).HasMaxLength(Portfolio.NameMaxLength);
        e.Property(p => p.Description).HasMaxLength(Portfolio.DescriptionMaxLength);
        e.Property(p => p.Currency).HasMaxLength(3);
        e.Property(p => p.ShareToken).HasMaxLength(64);
        e.HasMany(p => p.Transactions).WithOne().HasForeignKey(t => t.PortfolioId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PortfolioTransactionConfiguration : IEntityTypeConfiguration<PortfolioTransaction>
{
    public void Configure(EntityTypeBuilder<PortfolioTransaction> e)
    {
        e.ToTable("portfolio_transactions");
        // The ledger reads a portfolio's history in date order; the consistency check one instrument's.
        e.HasIndex(t => new { t.PortfolioId, t.Date });
        e.HasIndex(t => new { t.PortfolioId, t.InstrumentId, t.Date });
        e.HasOne(t => t.Instrument).WithMany().HasForeignKey(t => t.InstrumentId).OnDelete(DeleteBehavior.Restrict);
        e.Property(t => t.Quantity).HasPrecision(18, 4);
        e.Property(t => t.Price).HasPrecision(18, 4);
        e.Property(t => t.Amount).HasPrecision(20, 4);
        e.Property(t => t.Fees).HasPrecision(18, 4);
        e.Property(t => t.Taxes).HasPrecision(18, 4);
        e.Property(t => t.Ratio).HasPrecision(18, 8);
        e.Property(t => t.Note).HasMaxLength(PortfolioTransaction.NoteMaxLength);
    }
}
