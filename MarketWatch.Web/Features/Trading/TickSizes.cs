using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Trading;

/// <summary>One band as the admin page edits it: from <see cref="MinPrice"/> (MAD, inclusive) prices move by <see cref="Tick"/>.</summary>
public sealed record TickBandInput(decimal? MinPrice, decimal? Tick);

/// <summary>
/// The tick grid's bands from <c>tick_size_bands</c> (seeded with <see cref="TickGrid.Defaults"/>), read through a short
/// cache: a save on this instance drops it at once, other instances read the new bands within <see cref="CacheFor"/>.
/// </summary>
public sealed class TickSizes(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    public const int MaxBands = 20;
    public const decimal MaxTick = 1000m;

    private volatile Cached? _cached;

    private sealed record Cached(IReadOnlyList<(decimal MinPrice, decimal Tick)> Bands, DateTimeOffset LoadedAt);

    /// <summary>The bands, lowest first.</summary>
    public async Task<IReadOnlyList<(decimal MinPrice, decimal Tick)>> GetAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } cached && clock.GetUtcNow() - cached.LoadedAt < CacheFor)
        {
            return cached.Bands;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var rows = await db.TickSizeBands.AsNoTracking().OrderBy(b => b.MinPrice).Select(b => new { b.MinPrice, b.Tick }).ToListAsync(cancellationToken);
        IReadOnlyList<(decimal, decimal)> bands = rows.Count == 0 ? TickGrid.Defaults : rows.Select(r => (r.MinPrice, r.Tick)).ToList();
        _cached = new Cached(bands, clock.GetUtcNow());
        return bands;
    }

    /// <summary>The stored bands with who changed them last (the admin page).</summary>
    public async Task<List<TickSizeBand>> ListAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        return await db.TickSizeBands.AsNoTracking().OrderBy(b => b.MinPrice).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Replaces every band (blank rows ignored). The first band must start at 0 so every price has a tick; minimums are
    /// distinct; a tick is more than 0, at most <see cref="MaxTick"/>, with at most 4 decimals. Orders already live keep
    /// their prices (they were on the grid when entered).
    /// </summary>
    public async Task<Outcome<IReadOnlyList<(decimal MinPrice, decimal Tick)>>> SaveAsync(IReadOnlyList<TickBandInput> input, string? userName,
        CancellationToken cancellationToken)
    {
        if (Errors(input).FirstOrDefault() is { } error)
        {
            return new Outcome<IReadOnlyList<(decimal MinPrice, decimal Tick)>>(default, error, true);
        }
        var bands = input.Where(b => b.MinPrice is not null || b.Tick is not null).Select(b => (MinPrice: b.MinPrice!.Value, Tick: b.Tick!.Value))
            .OrderBy(b => b.MinPrice).ToList();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var now = clock.GetUtcNow();
            var by = userName is { Length: > 256 } ? userName[..256] : userName;
            await AdvisoryLock.InTransactionAsync(db, "tick-sizes", async () =>
            {
                await db.TickSizeBands.ExecuteDeleteAsync(cancellationToken);
                db.AddRange(bands.Select(b => new TickSizeBand { MinPrice = b.MinPrice, Tick = b.Tick, UpdatedAt = now, UpdatedBy = by }));
                return await db.SaveChangesAsync(cancellationToken);
            }, cancellationToken);
        }
        _cached = null;
        return Outcome<IReadOnlyList<(decimal MinPrice, decimal Tick)>>.Done(bands.Select(b => (b.MinPrice, b.Tick)).ToList());
    }

    /// <summary>Every refusal of a set of bands, on "Bands[i].MinPrice"/"Bands[i].Tick" (or "Bands" for the whole table).</summary>
    public static IEnumerable<FieldError> Errors(IReadOnlyList<TickBandInput> input)
    {
        var seen = new HashSet<decimal>();
        var any = false;
        for (var i = 0; i < input.Count; i++)
        {
            var band = input[i];
            if (band.MinPrice is null && band.Tick is null)
            {
                continue;
            }
            any = true;
            if (band.MinPrice is not { } min || min < 0 || min > 10_000_000m || Math.Round(min, 4) != min)
            {
                yield return new FieldError($"Bands[{i}].MinPrice", new Text("Enter a price from 0 MAD, with at most 4 decimals."));
            }
            else if (!seen.Add(min))
            {
                yield return new FieldError($"Bands[{i}].MinPrice", new Text("Two bands cannot start at the same price."));
            }
            if (band.Tick is not { } tick || tick <= 0 || tick > MaxTick || Math.Round(tick, 4) != tick)
            {
                yield return new FieldError($"Bands[{i}].Tick", new Text("Enter a tick of more than 0 and at most {0} MAD, with at most 4 decimals.", MaxTick));
            }
        }
        if (!any)
        {
            yield return new FieldError("Bands", new Text("Keep at least one band."));
        }
        else if (!seen.Contains(0m))
        {
            yield return new FieldError("Bands", new Text("One band must start at 0 MAD, so that every price has a tick."));
        }
        if (input.Count(b => b.MinPrice is not null || b.Tick is not null) > MaxBands)
        {
            yield return new FieldError("Bands", new Text("Keep at most {0} bands.", MaxBands));
        }
    }
}
