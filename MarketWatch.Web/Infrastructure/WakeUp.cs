using System.Threading.Channels;

namespace MarketWatch.Web.Infrastructure;

/// <summary>
/// A coalescing wake-up for one waiting loop: any number of <see cref="Signal"/> calls before the loop looks become
/// one wake-up (a channel of capacity one that drops further writes). The loop then takes everything that piled up
/// meanwhile from its own state, so producers never wait and the signal itself holds nothing.
/// </summary>
public sealed class WakeUp(TimeProvider? clock = null)
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Never blocks; a no-op when a wake-up is already pending.</summary>
    public void Signal() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a signal (true) or for the timeout (false), for heartbeats and periodic work.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_channel.Reader.TryRead(out _))
        {
            return true;
        }
        using var timer = new CancellationTokenSource(timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        // A timeout is the common case (every idle stream's heartbeat): told apart without throwing.
        Task read = _channel.Reader.ReadAsync(linked.Token).AsTask();
        await read.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        return read.IsCompletedSuccessfully;
    }

    /// <summary>Waits for a signal, however long it takes.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken) => await _channel.Reader.ReadAsync(cancellationToken);
}
