using System.Collections.Concurrent;

namespace OpsBot.Faults.Tests.Infrastructure;

/// <summary>Keeps every log line of an in-process host, so tests can assert on them.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _logs = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Logs => _logs.ToArray();

    public string All => string.Join('\n', _logs.Select(l => $"{l.Level} {l.Category}: {l.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._logs.Enqueue((logLevel, category, formatter(state, exception)));
    }
}
