using System.Globalization;
using System.Text.Json;

namespace OpsBot.LoadTest;

/// <summary>Prints the results as a table and writes them as JSON.</summary>
public static class LoadReport
{
    public static void PrintTable(TextWriter output, IReadOnlyList<LoadResult> results, double ceiling)
    {
        string F(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        output.WriteLine();
        output.WriteLine($"raw RabbitMQ.Client ceiling (same size, persistent, confirms): {F(ceiling)} msg/s");
        foreach (var r in results)
        {
            output.WriteLine();
            output.WriteLine($"== {r.Scenario}");
            output.WriteLine($"  sent to Redis                 {F(r.Sent)} in {r.DurationSeconds:F1} s = {F(r.SentPerSecond)}/s (target {F(r.Rate)}/s, {r.Strategies} strategies, conflation {(r.Conflation ? "on" : "off")}, after {r.WarmupSeconds:F0} s warm-up)");
            output.WriteLine($"  consumed by risk-evaluator    {F(r.PnlDelivered)} = {F(r.DeliveredPerSecond)}/s sustained ({r.DeliveredPerSecond / ceiling:P0} of the ceiling){(r.ObservedEveryPnl ? "" : "; the harness did not watch PnL (one queue on the exchange, as in production)")}");
            output.WriteLine($"  conflated / dropped / lost    {F(r.Conflated)} / {F(r.Dropped)} / {F(r.Lost)}");
            output.WriteLine($"  final PnL missing             {(r.FinalPnlMissing is { } m ? $"{m} of {r.Strategies} strategies" : "not observed (every update consumed: lost = 0 says it)")}");
            output.WriteLine($"  Redis → PnlUpdated p50/p99/max {r.PnlLatencyMs}");
            output.WriteLine($"  Redis → AlertRaised           {r.AlertLatencyMs} ({F(r.AlertsReceived)} alerts from {F(r.LossesSent)} losses)");
            output.WriteLine($"  Redis → Slack fake            {r.SlackLatencyMs}");
            output.WriteLine($"  peak resident memory          {string.Join(", ", r.PeakResidentMb.Select(kv => $"{kv.Key} {kv.Value:F0} MB"))}");
        }
    }

    public static void WriteJson(string path, IReadOnlyList<LoadResult> results, double ceiling)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            measuredAt = DateTimeOffset.UtcNow,
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.VersionString },
            rawRabbitCeilingPerSecond = ceiling,
            scenarios = results.Select(r => new { result = r, ratioOfCeiling = r.DeliveredPerSecond / ceiling }),
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    }
}
