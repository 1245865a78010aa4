using MarketWatch.Web.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>The one wake-up every background loop waits on: signals coalesce, a timeout is an answer rather than an error.</summary>
public sealed class WakeUpTests
{
    [Test]
    public async Task Many_signals_before_the_loop_looks_are_one_wake_up()
    {
        var clock = new FakeTimeProvider();
        var wake = new WakeUp(clock);
        wake.Signal();
        wake.Signal();
        wake.Signal();
        Assert.That(await wake.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None), Is.True);

        var next = wake.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        Assert.That(next.IsCompleted, Is.False, "the three signals were spent by the first wake-up");
        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.That(await next, Is.False, "the timeout (a heartbeat's turn)");
    }

    [Test]
    public async Task A_signal_wakes_a_waiting_loop_and_cancellation_stops_it()
    {
        var wake = new WakeUp(new FakeTimeProvider());
        var waiting = wake.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        wake.Signal();
        Assert.That(await waiting, Is.True);

        using var stopping = new CancellationTokenSource();
        var stopped = wake.WaitAsync(TimeSpan.FromSeconds(15), stopping.Token);
        await stopping.CancelAsync();
        Assert.That(async () => await stopped, Throws.InstanceOf<OperationCanceledException>());
    }
}
