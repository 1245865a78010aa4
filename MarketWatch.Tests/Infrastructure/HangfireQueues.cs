using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>What an app's Hangfire still has to do, read through its monitoring API: the done-signal for job work.</summary>
public static class HangfireQueues
{
    /// <summary>
    /// Waits until the queue has no job waiting, none running and none scheduled (a retry, a postponed send) to come
    /// back to it within <paramref name="horizon"/> (any time when omitted): whatever the jobs of that queue were
    /// going to do has been done.
    /// </summary>
    public static Task DrainedAsync(MarketWatchFactory app, string queue, TimeSpan? horizon = null)
    {
        // The app's own storage: JobStorage.Current is process-wide and belongs to whichever app started last.
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        return Eventually.ValueAsync(() => Task.FromResult(Left()), left => left == 0, $"Hangfire's '{queue}' queue to drain");

        long Left() =>
            monitoring.EnqueuedCount(queue)
            + monitoring.FetchedCount(queue)
            + monitoring.ScheduledJobs(0, 1000).Count(j => QueueOf(j.Value.Job) == queue && (horizon is null || j.Value.EnqueueAt <= DateTime.UtcNow + horizon));
    }

    private static string QueueOf(Job? job) =>
        job?.Queue ?? job?.Method.GetCustomAttribute<QueueAttribute>()?.Queue ?? job?.Type.GetCustomAttribute<QueueAttribute>()?.Queue ?? EnqueuedState.DefaultQueue;
}
