using System.Globalization;
using OpsBot.Contracts;

namespace OpsBot.ParityChecker;

/// <summary>Turns an outcome into the <c>ParityReport</c> and, on FAIL, the <c>AlertRaised</c>; a PASS after a FAIL into the <c>AlertResolved</c>.</summary>
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
        var labels = Labels(outcome);
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

    /// <summary>
    /// A PASS window after a FAIL: resolves <see cref="DedupKey"/>. <paramref name="afterRestart"/>: the first PASS since
    /// parity-checker started, when it cannot know whether the window before failed (the reason and a label say so).
    /// </summary>
    public AlertResolved Resolved(ParityOutcome outcome, Guid correlationId, bool afterRestart)
    {
        var labels = Labels(outcome);
        if (afterRestart) labels["after_restart"] = "true";
        var counts = string.Join("; ", outcome.Counts.Select(c => $"{c.Key}: {string.Join(", ", c.Value.Select(kv => $"{kv.Key} {kv.Value}"))}"));
        return new AlertResolved
        {
            CorrelationId = correlationId,
            Timestamp = time.GetUtcNow(),
            DedupKey = DedupKey,
            Reason = (afterRestart
                ? $"Market feed parity PASS for {labels["window"]}, the first window since parity-checker started (a FAIL before the start would be over): "
                : $"Market feed parity PASS for {labels["window"]} after a FAIL: ") +
                $"the clients agree again ({counts}).",
            Source = Source,
            Labels = labels,
        };
    }

    private static Dictionary<string, string> Labels(ParityOutcome outcome)
    {
        var labels = new Dictionary<string, string>
        {
            ["window"] = $"{outcome.WindowStart:HH:mm:ss}-{outcome.WindowEnd:HH:mm:ss} UTC",
            ["differences"] = outcome.Differences.Count.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (client, byType) in outcome.Counts)
            labels[client] = string.Join(", ", byType.Select(kv => $"{kv.Key} {kv.Value}"));
        return labels;
    }
}
