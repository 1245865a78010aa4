using System.Globalization;
using MarketWatch.Web.Features.Market.Import;
using MarketWatch.Web.Features.Market.Quality;
using MarketWatch.Web.Infrastructure.Data;

namespace MarketWatch.Web.Host;

/// <summary>
/// The command-line verbs of <c>dotnet MarketWatch.Web.dll</c>: <c>migrate</c>, <c>import-bars FILE</c> and
/// <c>data-quality [--tickers A,B] [--min 95] [--sessions 60]</c> and <c>make-admin EMAIL</c>. They use the app's services without starting it.
/// </summary>
public sealed class Commands(string verb, string[] arguments)
{
    public static readonly string[] Verbs = ["migrate", "import-bars", "data-quality", "make-admin"];

    public static Commands? Parse(string[] args) =>
        args.Length > 0 && Verbs.Contains(args[0]) ? new Commands(args[0], args[1..]) : null;

    public async Task<int> RunAsync(IServiceProvider services)
    {
        try
        {
            return verb switch
            {
                "migrate" => await MigrateAsync(services),
                "import-bars" => await ImportBarsAsync(services),
                "make-admin" => await MakeAdminAsync(services),
                _ => await DataQualityAsync(services),
            };
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
    }

    private static async Task<int> MigrateAsync(IServiceProvider services)
    {
        await DatabaseSetup.MigrateAsync(services, CancellationToken.None);
        Console.WriteLine("Migrations applied.");
        return 0;
    }

    /// <summary>The operator vouches for the address: its account becomes admin whether or not the address is confirmed.</summary>
    private async Task<int> MakeAdminAsync(IServiceProvider services)
    {
        if (arguments.Length != 1 || string.IsNullOrWhiteSpace(arguments[0]))
        {
            throw new ArgumentException("usage: make-admin EMAIL");
        }
        await using var scope = services.CreateAsyncScope();
        if (!await scope.ServiceProvider.GetRequiredService<Features.Accounts.Registration>().MakeAdminAsync(arguments[0]))
        {
            await Console.Error.WriteLineAsync($"no account with the address {arguments[0]}");
            return 1;
        }
        Console.WriteLine($"{arguments[0].Trim()} is an admin.");
        return 0;
    }

    private async Task<int> ImportBarsAsync(IServiceProvider services)
    {
        if (arguments.Length != 1)
        {
            throw new ArgumentException("usage: import-bars FILE.csv   (columns: ticker,date,open,high,low,close,volume[,adjusted_close])");
        }
        if (!File.Exists(arguments[0]))
        {
            throw new ArgumentException($"no such file: {arguments[0]}");
        }
        await using var scope = services.CreateAsyncScope();
        using var reader = new StreamReader(arguments[0]);
        var report = await scope.ServiceProvider.GetRequiredService<BarImport>().ImportAsync(reader, CancellationToken.None);
        if (report.Refused is { } refused)
        {
            Console.WriteLine(refused);
        }
        foreach (var error in report.Errors)
        {
            Console.WriteLine($"line {error.Line}: {string.Join(" ", error.Problems)}");
        }
        if (report.MoreErrors > 0)
        {
            Console.WriteLine($"... and {report.MoreErrors} more errors.");
        }
        Console.WriteLine(report.Succeeded
            ? $"Imported {report.Imported} bars from {report.Rows} rows."
            : $"Nothing imported: {report.ErrorCount} row(s) with errors out of {report.Rows}.");
        return report.Succeeded ? 0 : 1;
    }

    private async Task<int> DataQualityAsync(IServiceProvider services)
    {
        string? Option(string name)
        {
            var index = Array.IndexOf(arguments, name);
            return index >= 0 && index + 1 < arguments.Length ? arguments[index + 1] : null;
        }
        var tickers = Option("--tickers")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var min = decimal.Parse(Option("--min") ?? "0", CultureInfo.InvariantCulture);
        var sessions = int.Parse(Option("--sessions") ?? DataQuality.DefaultSessions.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (sessions is < 1 or > 2000)
        {
            throw new ArgumentException("--sessions must be between 1 and 2000");
        }
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Features.Market.Calendar.CalendarCache>().RefreshAsync(CancellationToken.None);
        var (report, unknown) = await scope.ServiceProvider.GetRequiredService<DataQuality>().RunAsync(tickers, sessions, CancellationToken.None);
        if (report is null)
        {
            throw new ArgumentException($"unknown ticker(s): {string.Join(", ", unknown)}");
        }
        Console.WriteLine($"Data quality over {report.Sessions} sessions, {report.From:yyyy-MM-dd} to {report.To:yyyy-MM-dd}");
        Console.WriteLine($"{"ticker",-8} {"score",6} {"ref %",6} {"quote %",8} {"bars %",7}  findings");
        foreach (var i in report.Instruments)
        {
            var findings = new List<string>();
            if (i.MissingReferenceFields.Count > 0) findings.Add("missing reference: " + string.Join(", ", i.MissingReferenceFields));
            if (i.MissingQuoteFields.Count > 0) findings.Add("missing quote: " + string.Join(", ", i.MissingQuoteFields));
            if (i.MissingSessions.Count > 0) findings.Add($"missing sessions ({i.MissingSessions.Count}): " + string.Join(" ", i.MissingSessions.Take(10).Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))) + (i.MissingSessions.Count > 10 ? " ..." : ""));
            if (i.Stale) findings.Add($"stale quote (last {i.LastQuoteAt:u})");
            if (i.Breaches.Count > 0) findings.Add("beyond ±10%: " + string.Join(" ", i.Breaches.Select(b => $"{b.Date:yyyy-MM-dd} {b.ChangePercent:+0.##;-0.##}%")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{i.Ticker,-8} {i.Score,6:0.0} {i.ReferenceCompleteness,6:0.0} {i.QuoteCompleteness,8:0.0} {i.Coverage,7:0.0}  {string.Join("; ", findings)}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Average score: {report.AverageScore:0.0} (minimum {min:0.##})"));
        return report.AverageScore >= min ? 0 : 1;
    }
}
