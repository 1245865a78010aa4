using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Npgsql;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// The real app as a child OS process (<c>dotnet MarketWatch.Web.dll</c>) on a test database and a loopback port: what
/// only a separate process allows, a kill -9 (no finally block, no shutdown hook runs) and a SIGTERM handled the way
/// the platform sends it on a deploy. Several can run on one database. Its output is kept and written to the test's
/// log when the test failed; disposing always kills it.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    /// <summary>A cold start on a busy 2-core machine (JIT, migrations check, Hangfire's schema check) stays well inside this.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private const int MaxLines = 4000;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private AppProcess(string name, Process process, Uri address, DateTimeOffset launchedAt)
    {
        Name = name;
        _process = process;
        Address = address;
        LaunchedAt = launchedAt;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Names the instance in its log lines and in PostgreSQL (<c>application_name</c> of its connections).</summary>
    public string Name { get; }

    public Uri Address { get; }

    /// <summary>When the process was started (not when it answered): a restart's clock starts here.</summary>
    public DateTimeOffset LaunchedAt { get; }

    /// <summary>When it first answered <c>/health/live</c>.</summary>
    public DateTimeOffset LiveAt { get; private set; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>
    /// Starts the app on <paramref name="database"/> with the settings the in-process tests use (see
    /// <see cref="MarketWatchFactory"/>) plus <paramref name="settings"/> (keys as in appsettings, "Section:Key"), and
    /// waits until <c>/health/live</c> answers.
    /// </summary>
    public static async Task<AppProcess> StartAsync(string name, string database, IDictionary<string, string?>? settings = null)
    {
        var port = Ports.Free();
        var address = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(DotnetHost)
        {
            // The project directory as content root, as WebApplicationFactory does: appsettings and wwwroot as in development.
            WorkingDirectory = ContentRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MarketWatch.Web.dll"));
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(ContentRoot);
        var connection = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionStringFor(database)) { ApplicationName = name };
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = address.AbsoluteUri.TrimEnd('/'),
            ["ConnectionStrings__Default"] = connection.ConnectionString,
            ["Database__MigrateOnStartup"] = "false",
            ["Mail__ExposeDevMailbox"] = "true",
            ["Jobs__WorkerCount"] = "2",
            ["Jobs__QueuePollSeconds"] = "1",
            ["RateLimits__AuthPermitLimit"] = "1000",
            ["MarketData__Ingest"] = "false",
            ["Webhooks__AllowPrivateNetworks"] = "true",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var launchedAt = DateTimeOffset.UtcNow;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var app = new AppProcess(name, process, address, launchedAt);
        try
        {
            await app.WaitLiveAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>A client for this instance (cookies kept, redirects not followed, as a browser's fetch would see them).</summary>
    public HttpClient Client() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>kill -9 of the whole process tree: the process gets no chance to finish anything.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            Assert.Fail($"{Name} (pid {ProcessId}) still runs 15 s after SIGKILL");
        }
        Keep($"[test] {Name} killed (SIGKILL)");
    }

    /// <summary>
    /// SIGTERM, as a platform sends it on a deploy, and waits (at most <paramref name="timeout"/>) for the process to exit.
    /// </summary>
    /// <returns>How long the process took to exit.</returns>
    public async Task<TimeSpan> TerminateAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync();
            Assert.That(kill.ExitCode, Is.Zero, $"kill -TERM {_process.Id}");
        }
        Keep($"[test] {Name} sent SIGTERM");
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{Name} did not exit within {timeout.TotalSeconds:0} s of SIGTERM");
        }
        Keep($"[test] {Name} exited with {_process.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s");
        return clock.Elapsed;
    }

    /// <summary>What the process printed (the last <see cref="MaxLines"/> lines), each line with its time since launch.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or not killable: nothing more a test can do.
        }
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync($"---- output of {Name} (pid {ProcessId}, {Address}) ----{Environment.NewLine}{Output}");
        }
        _process.Dispose();
    }

    private async Task WaitLiveAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        // Done when it answers, or when it has exited (then it never will).
        var live = false;
        await Eventually.WithinAsync(async () => _process.HasExited || (live = await AnswersAsync(http)), StartTimeout);
        if (live)
        {
            LiveAt = DateTimeOffset.UtcNow;
            Keep($"[test] {Name} live after {clock.Elapsed.TotalSeconds:0.0} s");
            return;
        }
        Assert.Fail(_process.HasExited
            ? $"{Name} exited with {_process.ExitCode} before answering /health/live:{Environment.NewLine}{Output}"
            : $"{Name} did not answer /health/live within {StartTimeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
    }

    private async Task<bool> AnswersAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(Address, "/health/live"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false; // not listening yet
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue($"+{_clock.Elapsed.TotalSeconds,7:0.000} {line}");
        while (_output.Count > MaxLines && _output.TryDequeue(out _))
        {
        }
    }

    /// <summary>The dotnet host running the tests (the SDK names it for child processes), else the one on PATH.</summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>MarketWatch.Web next to the solution the tests were built from; the output directory when run elsewhere.</summary>
    private static string ContentRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var web = Path.Combine(directory.FullName, "MarketWatch.Web");
                if (File.Exists(Path.Combine(directory.FullName, "MarketWatch.sln")) && Directory.Exists(web))
                {
                    return web;
                }
            }
            return AppContext.BaseDirectory;
        }
    }
}
