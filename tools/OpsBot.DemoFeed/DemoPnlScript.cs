using System.Globalization;
using System.Text.Json;

namespace OpsBot.DemoFeed;

/// <summary>
/// The demo's story, one tick a second: "carry" and "mean-revert" wander around a small profit;
/// "momentum" slides by 150 a tick from +200, crossing −ALERT_PNL_THRESHOLD (1,000) after about
/// 9 ticks (a warning) and −2,000 after about 15 (critical), then recovers and repeats every 40
/// ticks. Tick 3 also sends one malformed message, which pnl-ingest rejects.
/// </summary>
public sealed class DemoPnlScript(string account = "demo-acct")
{
    public const int CycleTicks = 40;
    private readonly Random _random = new(42);

    public IEnumerable<string> MessagesFor(int tick, DateTimeOffset now)
    {
        var phase = tick % CycleTicks;
        var momentum = phase <= 16 ? 200m - 150m * phase : -2200m + 300m * (phase - 16);
        yield return Json("momentum", momentum * 0.6m, momentum * 0.4m, now);
        yield return Json("carry", 350m + Jitter(), Jitter(), now);
        yield return Json("mean-revert", 120m + Jitter(), Jitter(), now);
        if (phase == 3) yield return "{\"account\":\"demo-acct\",\"strategy\":\"broken\",\"realized\":NaN}";
    }

    private decimal Jitter() => Math.Round((decimal)(_random.NextDouble() * 100 - 50), 2);

    private string Json(string strategy, decimal realized, decimal unrealized, DateTimeOffset now) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["account"] = account,
            ["strategy"] = strategy,
            ["realized"] = Math.Round(realized, 2),
            ["unrealized"] = Math.Round(unrealized, 2),
            ["currency"] = "USD",
            ["timestamp"] = now.ToString("O", CultureInfo.InvariantCulture),
        });
}
