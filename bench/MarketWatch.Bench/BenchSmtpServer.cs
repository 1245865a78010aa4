using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace MarketWatch.Bench;

/// <summary>A loopback SMTP server (the SmtpServer package, as in the tests) that records when it accepted each message.</summary>
public sealed class BenchSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public int Port { get; } = FreePort();
    /// <summary>Stopwatch timestamps of the accepted messages (after DATA, before the 250 reply).</summary>
    public ConcurrentQueue<long> Accepted { get; } = new();

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(Accepted));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException("The SMTP server did not start.");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        _stop.Dispose();
    }

    private sealed class Store(ConcurrentQueue<long> accepted) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            accepted.Enqueue(Stopwatch.GetTimestamp());
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
