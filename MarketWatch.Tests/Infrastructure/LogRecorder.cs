using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>A log provider that keeps every entry an app writes (at the factory's level: warnings and up), to assert what the logs say.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> State);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Adds this recorder to an app under test (a test's ConfigureApp).</summary>
    public void AddTo(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.ConfigureServices(s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<ILoggerProvider>(s, this));

    /// <summary>Writes the server's exceptions (a browser only sees "500"), e.g. to TestContext.Out in a TearDown.</summary>
    public void WriteExceptions(TextWriter output)
    {
        foreach (var e in Entries.Where(e => e.Exception is not null))
        {
            output.WriteLine($"SERVER: {e.Category} {e.Message} {e.Exception}");
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(LogRecorder recorder, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            recorder.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception, values.ToDictionary(kv => kv.Key, kv => kv.Value)));
        }
    }
}
