using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Features.Market.Providers;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Market;

/// <summary>The market status badge and the "prices are simulated" notice, for every page and the API.</summary>
public sealed class MarketStatusService(CalendarCache calendar, IOptions<MarketDataOptions> options, TimeProvider clock)
{
    public bool IsSimulated => options.Value.Provider.Equals("Simulated", StringComparison.OrdinalIgnoreCase);

    /// <summary>Demo mode: the simulated feed ignores the calendar, so the market always shows as open.</summary>
    public bool IsDemoMode => IsSimulated && options.Value.Simulated.DemoMode;

    public MarketStatus Now()
    {
        var status = calendar.Current.StatusAt(clock.GetUtcNow());
        return IsDemoMode ? status with { Phase = MarketPhase.Continuous, PhaseEnds = null, HolidayName = null } : status;
    }

    /// <summary>When the next trading session opens (what "once per session" alerts wait for after firing).</summary>
    public DateTimeOffset NextSessionOpen(DateTimeOffset instant) => calendar.Current.NextOpen(instant).ToUniversalTime();
}
