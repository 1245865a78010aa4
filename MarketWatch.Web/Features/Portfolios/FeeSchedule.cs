using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// The fees and taxes MarketWatch assumes when a transaction does not give its own: one row, edited by admins
/// (<c>/admin/fees</c>). Rates are fractions (0.006 = 0.6 %). The defaults and where they come from are in
/// docs/portfolios.md; users are told to check them against their broker's statement.
/// </summary>
public sealed class FeeSchedule
{
    /// <summary>Brokerage on equities: the regulated ceiling is 0.6 % of the amount; online brokers often charge less.</summary>
    public const decimal DefaultBrokerageRate = 0.006m;
    /// <summary>The Casablanca Stock Exchange's commission on equities: 0.1 % of the amount.</summary>
    public const decimal DefaultExchangeCommissionRate = 0.001m;
    /// <summary>Custody/settlement charged by a bank holding the account: 0.2 % of the amount (only when the account is at a bank).</summary>
    public const decimal DefaultSettlementRate = 0.002m;
    /// <summary>VAT on commissions: 10 % (the rate Moroccan VAT applies to banking and brokerage services).</summary>
    public const decimal DefaultVatRate = 0.10m;
    /// <summary>Capital-gains tax on listed shares (TPCVM): 15 %.</summary>
    public const decimal DefaultCapitalGainsTaxRate = 0.15m;
    /// <summary>Dividend withholding for resident individuals: 10 % from 2026 (the 2023 finance law lowered 15 % by steps).</summary>
    public const decimal DefaultDividendWithholdingRate = 0.10m;
    /// <summary>The highest any rate may be set to (a guard against typing 15 for 15 %).</summary>
    public const decimal MaxRate = 0.5m;

    public int Id { get; set; }
    public decimal BrokerageRate { get; set; } = DefaultBrokerageRate;
    public decimal ExchangeCommissionRate { get; set; } = DefaultExchangeCommissionRate;
    public decimal SettlementRate { get; set; } = DefaultSettlementRate;
    public decimal VatRate { get; set; } = DefaultVatRate;
    public decimal CapitalGainsTaxRate { get; set; } = DefaultCapitalGainsTaxRate;
    public decimal DividendWithholdingRate { get; set; } = DefaultDividendWithholdingRate;
    public DateTimeOffset? UpdatedAt { get; set; }
    /// <summary>The admin who last changed it (user name), for the admin page.</summary>
    public string? UpdatedBy { get; set; }

    /// <summary>The schedule's defaults (what a fresh database holds).</summary>
    public static FeeSchedule Defaults => new() { Id = 1 };

    /// <summary>Commissions on a trade of <paramref name="amount"/> (brokerage, exchange, settlement at a bank) plus VAT on them, to the centime.</summary>
    public decimal TradeFees(decimal amount, bool accountAtBank)
    {
        var commissions = amount * (BrokerageRate + ExchangeCommissionRate + (accountAtBank ? SettlementRate : 0m));
        return Math.Round(commissions * (1 + VatRate), 2, MidpointRounding.AwayFromZero);
    }

    /// <summary>The capital-gains tax a broker would withhold on a realized gain (nothing on a loss).</summary>
    public decimal CapitalGainsTax(decimal realizedGain) =>
        realizedGain <= 0 ? 0m : Math.Round(realizedGain * CapitalGainsTaxRate, 2, MidpointRounding.AwayFromZero);

    /// <summary>The withholding on a gross dividend.</summary>
    public decimal DividendWithholding(decimal gross) =>
        gross <= 0 ? 0m : Math.Round(gross * DividendWithholdingRate, 2, MidpointRounding.AwayFromZero);
}

internal sealed class FeeScheduleConfiguration : IEntityTypeConfiguration<FeeSchedule>
{
    public void Configure(EntityTypeBuilder<FeeSchedule> e)
    {
        e.ToTable("fee_schedule");
        e.Property(f => f.Id).ValueGeneratedNever();
        foreach (var rate in new[] { nameof(FeeSchedule.BrokerageRate), nameof(FeeSchedule.ExchangeCommissionRate), nameof(FeeSchedule.SettlementRate),
                     nameof(FeeSchedule.VatRate), nameof(FeeSchedule.CapitalGainsTaxRate), nameof(FeeSchedule.DividendWithholdingRate) })
        {
            e.Property<decimal>(rate).HasPrecision(9, 6);
        }
        e.Property(f => f.UpdatedBy).HasMaxLength(256);
        e.HasData(FeeSchedule.Defaults);
    }
}
