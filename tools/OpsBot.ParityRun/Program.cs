using Microsoft.Extensions.Logging;
using OpsBot.ParityRun;

// scripts/run_parity: exit 0 on PASS, 1 on FAIL, 2 when the run itself could not be done.
// Settings: PARITY_SUMMARY (file, default artifacts/parity_summary.txt), PARITY_EXTRA_TICKS (default 200),
// PARITY_FAULT (drop|alter:raw|sdk:ticker|user_update, for proving the check). Client logs go to stderr.
try
{
    var summaryPath = Environment.GetEnvironmentVariable("PARITY_SUMMARY") is { Length: > 0 } s ? s : Path.Combine("artifacts", "parity_summary.txt");
    var extra = int.TryParse(Environment.GetEnvironmentVariable("PARITY_EXTRA_TICKS"), out var n) && n >= 0 ? n : 200;
    var fault = ParityFault.Parse(Environment.GetEnvironmentVariable("PARITY_FAULT"));
    using var loggers = LoggerFactory.Create(b => b
        .SetMinimumLevel(LogLevel.Information)
        .AddFilter("Websocket.Client", LogLevel.Critical) // its lost-connection errors carry full stack traces; the client logs one line itself
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

    var result = await new ParityRunner(loggers).RunAsync(new ParityRunOptions { ExtraTicks = extra, Fault = fault });
    var summary = ParitySummary.Render(result, fault);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(summaryPath))!);
    await File.WriteAllTextAsync(summaryPath, summary);
    Console.Out.Write(summary);
    return result.Passed ? 0 : 1;
}
catch (Exception e) when (e is ArgumentException or TimeoutException or IOException)
{
    Console.Error.WriteLine($"run_parity: {e.Message}");
    return 2;
}
