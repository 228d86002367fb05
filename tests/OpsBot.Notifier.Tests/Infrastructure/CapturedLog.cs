namespace OpsBot.Notifier.Tests.Infrastructure;

public sealed record CapturedLog(LogLevel Level, string Category, string Message, Exception? Exception);
