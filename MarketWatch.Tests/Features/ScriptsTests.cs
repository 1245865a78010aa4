using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MarketWatch.Tests.Infrastructure;

namespace MarketWatch.Tests.Features;

/// <summary>
/// The README's commands bring up a clone's own PostgreSQL (scripts/lib.sh) from a private directory — as root a clone
/// under /root (mode 700), which the server's 'postgres' user cannot enter — and beside another cluster on port 54329.
/// </summary>
[NonParallelizable]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ScriptsTests
{
    private const int DefaultPort = 54329;
    private string _clone = "";

    [SetUp]
    public void CopyTheScriptsIntoAPrivateDirectory()
    {
        var parent = Environment.IsPrivilegedProcess ? "/root" : Path.GetTempPath();
        _clone = Path.Combine(parent, "mw-ci-check-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_clone, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(_clone, "scripts"));
        File.Copy(Path.Combine(RepositoryRoot(), "scripts", "lib.sh"), Path.Combine(_clone, "scripts", "lib.sh"));
    }

    [TearDown]
    public async Task StopAndRemoveTheCluster()
    {
        // Whatever a failed test left running, and the cluster's home outside the clone (as root).
        var (_, home) = await BashAsync(
            "source scripts/lib.sh; ensure_pg_binaries; locate_cluster; " +
            "[ -f \"$PG_DATA/postmaster.pid\" ] && pg_as \"$PG_BIN/pg_ctl\" -D \"$PG_DATA\" -m immediate stop >/dev/null 2>&1; " +
            "[ \"$PG_HOME\" != \"$DATA_DIR\" ] && echo \"$PG_HOME\"; true");
        if (home.Trim() is { Length: > 0 } outside && outside.StartsWith("/var/lib/marketwatch/", StringComparison.Ordinal)
            && Directory.Exists(outside))
        {
            Directory.Delete(outside, recursive: true);
        }
        Directory.Delete(_clone, recursive: true);
    }

    [Test]
    public async Task A_clone_in_a_private_directory_starts_its_own_cluster_on_the_port_asked_for()
    {
        var port = Ports.Free();
        var (status, output) = await BashAsync(
            $"source scripts/lib.sh; MW_PG_PORT={port}; trap stop_database EXIT; ensure_database && " +
            "echo \"url=$ConnectionStrings__Default\" && pg_as \"$PSQL\" -h 127.0.0.1 -p \"$PG_PORT\" -U postgres -d marketwatch -tAc 'SELECT 40 + 2'");
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.Zero, output);
            Assert.That(output, Does.Contain($"url=Host=127.0.0.1;Port={port};Database=marketwatch"));
            Assert.That(output, Does.Contain("42"));
            Assert.That(output, Does.Contain("stopping local PostgreSQL"));
        });
        var link = new DirectoryInfo(Path.Combine(_clone, ".data", "postgres"));
        if (Environment.IsPrivilegedProcess)
        {
            // The server runs as postgres, who cannot enter /root: the cluster lives outside, linked from .data/.
            Assert.That(link.LinkTarget, Does.StartWith("/var/lib/marketwatch/"));
        }
        else
        {
            Assert.That(link.Exists && link.LinkTarget is null, Is.True, "the cluster is in the clone's .data/postgres");
        }
    }

    [Test]
    public async Task When_another_program_holds_port_54329_the_cluster_takes_a_free_port_and_keeps_it_next_time()
    {
        // On a machine where another clone's cluster runs, 54329 is taken already; otherwise this test takes it.
        using var holder = TryListen(DefaultPort);
        const string Start = "source scripts/lib.sh; unset MW_PG_PORT; trap stop_database EXIT; ensure_database && " +
                             "echo \"port=$PG_PORT\" && pg_as \"$PSQL\" -h 127.0.0.1 -p \"$PG_PORT\" -U postgres -d marketwatch -tAc 'SELECT 40 + 2'";

        var (status, output) = await BashAsync(Start);
        Assert.That(status, Is.Zero, output);
        var port = PortIn(output);
        Assert.That(port, Is.Not.EqualTo(DefaultPort), output);
        Assert.That(output, Does.Contain("42").And.Contain("port 54329 is taken"));

        (status, output) = await BashAsync(Start);
        Assert.That(status, Is.Zero, output);
        Assert.That(PortIn(output), Is.EqualTo(port), "the second start uses the port recorded by the first");
    }

    [Test]
    public async Task Run_fails_with_the_apps_status_when_the_app_exits_during_start()
    {
        // The app dies before it answers (port taken, migration refused): run must not report success.
        var (status, output) = await BashAsync(RunWithFakes("FAKE_APP_EXIT=3 ./scripts/run; echo \"run=$?\""));
        Assert.That(output, Does.Contain("fake app started").And.Contain("run=3"), output);
        Assert.That(status, Is.Zero, output);
    }

    [Test]
    public async Task Run_prints_the_addresses_of_MW_URLS_and_passes_SIGTERM_to_the_app()
    {
        var (status, output) = await BashAsync(RunWithFakes(
            "MW_URLS='http://0.0.0.0:5999;http://127.0.0.1:6001' ./scripts/run > run.log 2>&1 & pid=$!; " +
            "for _ in $(seq 1 200); do grep -q 'Ctrl-C stops it' run.log && break; sleep 0.1; done; " +
            "kill -TERM $pid; wait $pid; echo \"run=$?\"; cat run.log"));
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.Zero, output);
            Assert.That(output, Does.Contain("running at http://localhost:5999").And.Contain("running at http://127.0.0.1:6001"));
            Assert.That(output, Does.Contain("fake app got TERM"));
            Assert.That(output, Does.Contain("run=143"));
        });
    }

    /// <summary>
    /// scripts/run in the clone with stand-ins on PATH for dotnet (the build passes; the app prints its arguments, then
    /// exits with FAKE_APP_EXIT or runs until SIGTERM), npm and curl (the app answers at once), and a database already set.
    /// </summary>
    private string RunWithFakes(string command)
    {
        File.Copy(Path.Combine(RepositoryRoot(), "scripts", "run"), Path.Combine(_clone, "scripts", "run"));
        Directory.CreateDirectory(Path.Combine(_clone, "MarketWatch.Web"));
        var bin = Directory.CreateDirectory(Path.Combine(_clone, "fake-bin")).FullName;
        const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        void Fake(string name, string script)
        {
            File.WriteAllText(Path.Combine(bin, name), "#!/usr/bin/env bash\n" + script);
            File.SetUnixFileMode(Path.Combine(bin, name), Executable);
        }
        Fake("npm", "exit 0\n");
        Fake("curl", "exit 0\n");
        Fake("dotnet", """
            [ "$1" = build ] && exit 0
            echo "fake app started: $*"
            [ -n "${FAKE_APP_EXIT:-}" ] && exit "$FAKE_APP_EXIT"
            trap 'echo "fake app got TERM"; exit 0' TERM
            while :; do sleep 0.1; done

            """);
        File.SetUnixFileMode(Path.Combine(_clone, "scripts", "run"), Executable);
        return $"export PATH=\"{bin}:$PATH\" ConnectionStrings__Default='Host=127.0.0.1;Port=1;Database=none'; {command}";
    }

    private static int PortIn(string output) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"port=(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static TcpListener? TryListen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Runs a bash command in the clone, without the test run's own database settings, for at most two minutes.</summary>
    private async Task<(int Status, string Output)> BashAsync(string command)
    {
        var start = new ProcessStartInfo("bash", ["-c", command])
        {
            WorkingDirectory = _clone,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("ConnectionStrings__Default");
        start.Environment.Remove("MW_PG_PORT");
        start.Environment["MW_PG_FSYNC"] = "off";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{command}' did not finish within 2 minutes:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "scripts", "lib.sh")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("scripts/lib.sh not found above " + TestContext.CurrentContext.TestDirectory);
    }
}
