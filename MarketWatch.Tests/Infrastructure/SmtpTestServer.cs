using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on 127.0.0.1 (the SmtpServer package) that keeps what it receives and when it accepted it.
/// The benchmark (bench/MarketWatch.Bench) compiles this same file for its tick-to-email latency.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private CancellationTokenSource? _stop;
    private Task? _running;

    public int Port { get; } = Ports.Free();
    public ConcurrentQueue<MimeMessage> Received { get; } = new();
    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamps of the accepted messages (after DATA, before the 250 reply).</summary>
    public ConcurrentQueue<long> Accepted { get; } = new();

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, _) => listening.TrySetResult();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(Received, Accepted));
        services.Add(listeners);
        _stop = new CancellationTokenSource();
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
        // The server binds the port on its own task: wait until it listens, or for the error that stopped it.
        if (await Task.WhenAny(listening.Task, _running).WaitAsync(TimeSpan.FromSeconds(10)) == _running)
        {
            await _running;
            throw new InvalidOperationException("SMTP test server stopped before it listened");
        }
    }

    public async Task StopAsync()
    {
        if (_stop is null)
        {
            return;
        }
        await _stop.CancelAsync();
        try
        {
            await _running!;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _stop = null;
    }

    /// <summary>The messages received so far with this address among their recipients.</summary>
    public IEnumerable<MimeMessage> MessagesTo(string address) => Received.Where(m => m.To.Mailboxes.Any(a => a.Address == address));

    public ValueTask DisposeAsync() => new(StopAsync());

    private sealed class Store(ConcurrentQueue<MimeMessage> received, ConcurrentQueue<long> accepted) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            accepted.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
            await using var stream = new MemoryStream(buffer.ToArray());
            received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
