using System.Diagnostics;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>
/// The app's own executable run once and waited for, as the release step runs a verb (<c>migrate</c>,
/// <c>make-admin</c>, <c>data-quality</c>) or as an operator starts it: Production, no job server, the test key-ring
/// certificate (Production requires one) unless a test is about its absence, output and errors captured.
/// </summary>
public static class AppCommand
{
    public static async Task<(int Code, string Output)> RunAsync(
        string connectionString,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        bool certificate = true)
    {
        var start = new ProcessStartInfo("dotnet", ["MarketWatch.Web.dll", .. arguments])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Default"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Jobs__Server"] = "false";
        var given = certificate ? TestCertificates.Environment : new Dictionary<string, string>();
        foreach (var (name, value) in given.Concat(environment ?? new Dictionary<string, string>()))
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(AppProcess.StartTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"`MarketWatch.Web.dll {string.Join(' ', start.ArgumentList.Skip(1))}` was still running after {AppProcess.StartTimeout}: it should have exited.\n{await output}{await errors}");
        }
        return (process.ExitCode, await output + await errors);
    }
}
