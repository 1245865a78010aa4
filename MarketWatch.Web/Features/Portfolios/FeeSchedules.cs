using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>The six rates an admin edits, in percent (0.6 = 0.6 %), as the form and <see cref="FeeSchedules.SaveAsync"/> take them.</summary>
public sealed record FeeRatesInput(decimal? BrokerageRate, decimal? ExchangeCommissionRate, decimal? SettlementRate, decimal? VatRate,
    decimal? CapitalGainsTaxRate, decimal? DividendWithholdingRate)
{
    public static FeeRatesInput From(FeeSchedule s) => new(s.BrokerageRate * 100, s.ExchangeCommissionRate * 100, s.SettlementRate * 100,
        s.VatRate * 100, s.CapitalGainsTaxRate * 100, s.DividendWithholdingRate * 100);
}

/// <summary>
/// The fee schedule every default fee and tax is computed from. Read through a short cache: a save on this instance
/// drops it at once, other instances read the new rates within <see cref="CacheFor"/> (a transaction entered in
/// those seconds takes the previous default, which the user sees in the preview and may override).
/// </summary>
public sealed class FeeSchedules(DbContext db, IMemoryCache cache, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private const string CacheKey = "portfolios:fee-schedule";
    /// <summary>The highest rate an admin may set, in percent (<see cref="FeeSchedule.MaxRate"/>).</summary>
    public const int MaxPercent = 50;

    /// <summary>The schedule (a copy: changing it changes nothing stored).</summary>
    public async Task<FeeSchedule> GetAsync(CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(CacheKey, out FeeSchedule? schedule) || schedule is null)
        {
            schedule = await db.FeeSchedules.AsNoTracking().SingleOrDefaultAsync(f => f.Id == 1, cancellationToken) ?? FeeSchedule.Defaults;
            cache.Set(CacheKey, schedule, CacheFor);
        }
        return Copy(schedule);
    }

    /// <summary>Saves the six rates (percent) with who changed them; every rate from 0 to 50 %, each refusal on its field.</summary>
    public async Task<Outcome<FeeSchedule>> SaveAsync(FeeRatesInput input, string? userName, CancellationToken cancellationToken)
    {
        if (Errors(input).FirstOrDefault() is { } error)
        {
            return new Outcome<FeeSchedule>(default, error, true);
        }
        var schedule = await db.FeeSchedules.SingleOrDefaultAsync(f => f.Id == 1, cancellationToken);
        if (schedule is null)
        {
            schedule = FeeSchedule.Defaults;
            db.Add(schedule);
        }
        schedule.BrokerageRate = input.BrokerageRate!.Value / 100;
        schedule.ExchangeCommissionRate = input.ExchangeCommissionRate!.Value / 100;
        schedule.SettlementRate = input.SettlementRate!.Value / 100;
        schedule.VatRate = input.VatRate!.Value / 100;
        schedule.CapitalGainsTaxRate = input.CapitalGainsTaxRate!.Value / 100;
        schedule.DividendWithholdingRate = input.DividendWithholdingRate!.Value / 100;
        schedule.UpdatedAt = clock.GetUtcNow();
        schedule.UpdatedBy = userName is { Length: > 256 } ? userName[..256] : userName;
        await db.SaveChangesAsync(cancellationToken);
        cache.Remove(CacheKey);
        return Outcome<FeeSchedule>.Done(schedule);
    }

    /// <summary>Every refused rate, on its own field (property names of <see cref="FeeRatesInput"/>).</summary>
    public static IEnumerable<FieldError> Errors(FeeRatesInput input)
    {
        foreach (var (field, value) in new[]
                 {
                     (nameof(input.BrokerageRate), input.BrokerageRate), (nameof(input.ExchangeCommissionRate), input.ExchangeCommissionRate),
                     (nameof(input.SettlementRate), input.SettlementRate), (nameof(input.VatRate), input.VatRate),
                     (nameof(input.CapitalGainsTaxRate), input.CapitalGainsTaxRate), (nameof(input.DividendWithholdingRate), input.DividendWithholdingRate),
                 })
        {
            if (value is not { } v || v < 0 || v > MaxPercent)
            {
                yield return new FieldError(field, new Text("Enter a rate from 0 to {0} %.", MaxPercent));
            }
            // Stored as a fraction with 6 decimals: a percent with more than 4 would be cut.
            else if (Math.Round(v, 4) != v)
            {
                yield return new FieldError(field, new Text("Enter the rate with at most 4 decimals."));
            }
        }
    }

    private static FeeSchedule Copy(FeeSchedule s) => new()
    {
        Id = s.Id, BrokerageRate = s.BrokerageRate, ExchangeCommissionRate = s.ExchangeCommissionRate, SettlementRate = s.SettlementRate,
        VatRate = s.VatRate, CapitalGainsTaxRate = s.CapitalGainsTaxRate, DividendWithholdingRate = s.DividendWithholdingRate,
        UpdatedAt = s.UpdatedAt, UpdatedBy = s.UpdatedBy,
    };
}
