using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>A real HTTP server (Kestrel) on 127.0.0.1 that answers every request with one delegate: a stand-in for outside services.</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackHttpServer(WebApplication app, IReadOnlyList<Uri> addresses)
    {
        _app = app;
        Addresses = addresses;
    }

    /// <summary>The base address, "http://127.0.0.1:{port}/" (the first, when it listens on several ports).</summary>
    public Uri Address => Addresses[0];

    /// <summary>Every port it listens on: several ports stand for several receivers (hosts) with one handler.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    public int Port => Address.Port;

    public static async Task<LoopbackHttpServer> StartAsync(RequestDelegate handle, int ports = 1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Port 0: the OS picks a free one when Kestrel binds, so parallel tests never race for it.
        builder.WebHost.UseKestrel(kestrel =>
        {
            for (var i = 0; i < ports; i++)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        var app = builder.Build();
        app.Run(handle);
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new LoopbackHttpServer(app, bound.Select(a => new Uri(new Uri(a), "/")).ToList());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
