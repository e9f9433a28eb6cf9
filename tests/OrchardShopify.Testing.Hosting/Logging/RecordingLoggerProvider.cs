using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrchardShopify.Testing.Hosting.Logging;

/// <summary>One formatted log entry with its exception rendered in full (type, message, stack, inner exceptions).</summary>
public sealed record RecordedLog(string Category, LogLevel Level, string Message, string? Exception);

/// <summary>Keeps every log entry of a site, at every level it is given, so a test can scan them for secrets.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<RecordedLog> _entries = new();

    public IReadOnlyCollection<RecordedLog> Entries => _entries;

    /// <summary>Every message and exception as one text, for scanning.</summary>
    public IEnumerable<string> Texts => _entries.SelectMany(e => e.Exception is null ? [e.Message] : new[] { e.Message, e.Exception });

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<RecordedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);

            // The structured values too: a secret passed as a parameter but left out of the template still leaks to sinks.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            entries.Enqueue(new RecordedLog(category, logLevel, $"{formatter(state, exception)} {values}", exception?.ToString()));
        }
    }
}
