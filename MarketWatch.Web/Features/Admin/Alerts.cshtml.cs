using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Alerts;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Admin;

public sealed record DeliveryCount(Channel Channel, DeliveryStatus Status, int Count);

public sealed record FailedDelivery(long Id, Channel Channel, string? Email, string? DetailKey, string[]? DetailArgs, int Attempts, DateTimeOffset? CompletedAt);

/// <summary><c>/admin/alerts</c>: what the alerts do (armed, fired, delivered) and the sweep on demand.</summary>
public sealed class AlertsModel(DbContext db, AlertEngine engine, AlertSweep sweep, TimeProvider clock) : PageModel
{
    public int ActiveAlerts { get; private set; }
    public int ArmedTargets { get; private set; }
    public int CoolingTargets { get; private set; }
    public int FiringsByEngine { get; private set; }
    public int FiringsBySweep { get; private set; }
    public List<DeliveryCount> Deliveries { get; private set; } = [];
    public List<FailedDelivery> Failures { get; private set; } = [];
    public AlertEngine Engine => engine;
    public SweepResult? LastSweep { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostSweepAsync(CancellationToken cancellationToken)
    {
        LastSweep = await sweep.RunAsync(cancellationToken);
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow().AddDays(-1);
        ActiveAlerts = await db.Set<Alert>().CountAsync(a => a.Status == AlertStatus.Active, cancellationToken);
        var targets = await db.Set<AlertTarget>().GroupBy(t => t.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        ArmedTargets = targets.Where(t => t.Key == TargetState.Armed).Sum(t => t.Count);
        CoolingTargets = targets.Where(t => t.Key == TargetState.Cooling).Sum(t => t.Count);
        var firings = await db.Set<AlertFiring>().Where(f => f.FiredAt >= since).GroupBy(f => f.Source).Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        FiringsByEngine = firings.Where(f => f.Key == "engine").Sum(f => f.Count);
        FiringsBySweep = firings.Where(f => f.Key == "sweep").Sum(f => f.Count);
        Deliveries = await db.Set<Delivery>().Where(d => d.CreatedAt >= since)
            .GroupBy(d => new { d.Channel, d.Status }).Select(g => new DeliveryCount(g.Key.Channel, g.Key.Status, g.Count()))
            .ToListAsync(cancellationToken);
        Failures = await db.Set<Delivery>().Where(d => d.Status == DeliveryStatus.Failed).OrderByDescending(d => d.Id).Take(20)
            .Select(d => new FailedDelivery(d.Id, d.Channel, db.Set<ApplicationUser>().Where(u => u.Id == d.UserId).Select(u => u.Email).FirstOrDefault(),
                d.DetailKey, d.DetailArgs, d.Attempts, d.CompletedAt))
            .ToListAsync(cancellationToken);
    }
}
