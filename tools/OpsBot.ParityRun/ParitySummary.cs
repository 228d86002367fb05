using System.Text;

namespace OpsBot.ParityRun;

/// <summary>artifacts/parity_summary.txt: per client the ticker and user_update counts, the differences, then PASS or FAIL.</summary>
public static class ParitySummary
{
    public static string Render(ParityRunResult result, ParityFault? fault)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Market feed parity: Coinbase Advanced Trade WebSocket protocol (ticker, user, heartbeats)");
        sb.AppendLine($"# fake exchange session: {result.ScriptName}; each client on its own connection; compared by OpsBot.ParityChecker.ParityComparer (strict)");
        if (fault is not null) sb.AppendLine($"# fault injected: {fault}");
        foreach (var stats in result.Stats)
        {
            sb.AppendLine($"{stats.Client} ticker={result.Outcome.Count(stats.Client, "ticker")} user_update={result.Outcome.Count(stats.Client, "user_update")}");
            sb.AppendLine($"#   {stats.Client}: frames {stats.Frames}, heartbeats {stats.Heartbeats}, malformed {stats.Malformed}, sequence gaps {stats.Gaps} ({stats.MissedFrames} missed), stale dropped {stats.StaleFrames}, connections {stats.Connections}");
        }
        sb.AppendLine($"# the script sends ticker={result.Expected.Tickers} user_update={result.Expected.UserUpdates}");
        if (result.Outcome.Differences.Count == 0) sb.AppendLine("differences: none");
        foreach (var d in result.Outcome.Differences) sb.AppendLine($"difference: {d}");
        sb.AppendLine(result.Outcome.Status);
        return sb.ToString();
    }
}
