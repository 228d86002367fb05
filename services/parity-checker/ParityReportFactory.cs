using System.Globalization;
using OpsBot.Contracts;

namespace OpsBot.ParityChecker;

/// <summary>Turns an outcome into the <c>ParityReport</c> and, on FAIL, the <c>AlertRaised</c>.</summary>
public sealed class ParityReportFactory(TimeProvider time)
{
    /// <summary>One stable key for every parity failure, so a lasting disagreement is one alert per dedup window, not one per window.</summary>
    public const string DedupKey = "parity:market-feed";
    public const string Source = "parity-checker";

    public ParityReport Report(ParityOutcome outcome, Guid correlationId) => new()
    {
        CorrelationId = correlationId,
        Timestamp = time.GetUtcNow(),
        WindowStart = outcome.WindowStart,
        WindowEnd = outcome.WindowEnd,
        Status = outcome.Status,
        Counts = outcome.Counts,
        Differences = outcome.Differences,
    };

    public AlertRaised Alert(ParityOutcome outcome, Guid correlationId)
    {
        var labels = new Dictionary<string, string>
        {
            ["window"] = $"{outcome.WindowStart:HH:mm:ss}-{outcome.WindowEnd:HH:mm:ss} UTC",
            ["differences"] = outcome.Differences.Count.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (client, byType) in outcome.Counts)
            labels[client] = string.Join(", ", byType.Select(kv => $"{kv.Key} {kv.Value}"));
        return new AlertRaised
        {
            CorrelationId = correlationId,
            Timestamp = time.GetUtcNow(),
            AlertId = Guid.NewGuid(),
            Severity = AlertSeverity.Warning,
            Title = "Market feed parity FAIL: the raw and sdk clients disagree",
            Text = string.Join("\n", outcome.Differences.Take(5)) + (outcome.Differences.Count > 5 ? $"\n(+{outcome.Differences.Count - 5} more)" : ""),
            DedupKey = DedupKey,
            Source = Source,
            Labels = labels,
        };
    }
}
