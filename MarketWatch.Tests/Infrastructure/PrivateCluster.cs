using System.Diagnostics;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of the test's own (initdb in a temporary directory, 127.0.0.1 on a free port, trust), for tests
/// that stop and start the server: never the shared one. As root the server runs as the <c>postgres</c> user, as
/// scripts/lib.sh does. Disposing stops it and deletes its directory.
/// </summary>
public sealed class PrivateCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _root;
    private string DataDirectory => Path.Combine(_root, "data");

    public int Port { get; }

    private PrivateCluster(string bin, string root, int port) => (_bin, _root, Port) = (bin, root, port);

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres";

    /// <summary>initdb, start, and an empty database named <paramref name="database"/>.</summary>
    public static async Task<PrivateCluster> CreateAsync(string database)
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var cluster = new PrivateCluster(FindBin(), root, Ports.Free());
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", ["postgres", root]);
            }
            await cluster.RunPgAsync("initdb", ["-D", cluster.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"]);
            await cluster.StartAsync();
            await using (var connection = new Npgsql.NpgsqlConnection(cluster.ConnectionString("postgres") + ";Pooling=false"))
            {
                await connection.OpenAsync();
                await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", connection);
                await create.ExecuteNonQueryAsync();
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public Task StartAsync() => RunPgAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(_root, "log"), "-s", "-w", "-t", "60",
        "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_root} -c fsync=off -c max_connections=200", "start"]);

    /// <summary>Stops the server: "fast" closes every connection at once (as a restart or an outage does), "immediate" crashes it.</summary>
    public Task StopAsync(string mode = "fast") => RunPgAsync("pg_ctl", ["-D", DataDirectory, "-s", "-w", "-t", "60", "-m", mode, "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await StopAsync("immediate");
            }
        }
        catch (Exception ex)
        {
            TestContext.Progress.WriteLine($"Could not stop the private cluster in {_root}: {ex.Message}");
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBin()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")) : []);
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "initdb")))
               ?? throw new InvalidOperationException("pg_ctl and initdb not found (PATH, /usr/lib/postgresql/*/bin)");
    }

    private Task RunPgAsync(string tool, IReadOnlyList<string> arguments)
    {
        var program = Path.Combine(_bin, tool);
        // The server refuses to run as root.
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        // Read to the end before waiting: the server started by pg_ctl writes to its log file, not to these pipes.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
