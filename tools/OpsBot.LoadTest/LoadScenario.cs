using System.Globalization;

namespace OpsBot.LoadTest;

/// <summary>One load run: how fast, how long, how many strategies, how many losses, conflation, an optional burst.</summary>
public sealed record LoadScenario(
    string Name,
    int Rate,
    TimeSpan Duration,
    int Strategies,
    double LossShare,
    bool Conflation,
    double BurstFactor = 1,
    TimeSpan BurstLength = default,
    TimeSpan? Warmup = null,
    bool ObservePnl = true,
    int RiskReplicas = 1)
{
    /// <summary>The least load sent at the scenario's base rate before the measured run and left out of every number
    /// (JIT tiering, thread-pool growth, connection set-up: what a service in production has long done). The
    /// warm-up goes on past it until the services' JIT settles (see <see cref="LoadRun.SettledJitPerSecond"/>).</summary>
    public TimeSpan WarmupLength => Warmup ?? DefaultWarmup;

    public static readonly TimeSpan DefaultWarmup = TimeSpan.FromSeconds(20);

    /// <summary>The goals of issue 8, each one scenario.</summary>
    public static IReadOnlyList<LoadScenario> Suite(double scale) =>
    [
        new("ingest 10k/s, 1,000 strategies, conflation on", (int)(10_000 * scale), TimeSpan.FromSeconds(60 * Math.Min(1, scale * 2)), 1000, 0.01, Conflation: true),
        // Throughput counted at risk-evaluator without a harness queue on the PnlUpdated exchange: that queue
        // would double the broker's deliveries, which the pipeline in production does not pay.
        new("pipeline, conflation off", (int)(6_000 * scale), TimeSpan.FromSeconds(20), 1000, 0.01, Conflation: false, ObservePnl: false),
        new("latency at 1k/s", 1000, TimeSpan.FromSeconds(20), 1000, 0.01, Conflation: true),
        new("10x burst", 1000, TimeSpan.FromSeconds(20), 1000, 0.01, Conflation: true, BurstFactor: 10, BurstLength: TimeSpan.FromSeconds(5)),
    ];

    /// <summary>How many updates should have been sent after <paramref name="elapsed"/> (the burst sits in the middle of the run).</summary>
    public long ExpectedBy(TimeSpan elapsed)
    {
        var t = Math.Min(elapsed.TotalSeconds, Duration.TotalSeconds);
        var expected = Rate * t;
        if (BurstFactor > 1 && BurstLength > TimeSpan.Zero)
        {
            var start = (Duration - BurstLength).TotalSeconds / 2;
            var inBurst = Math.Clamp(t - start, 0, BurstLength.TotalSeconds);
            expected += (BurstFactor - 1) * Rate * inBurst;
        }
        return (long)expected;
    }

    /// <summary><c>--risk-replicas N</c>: how many risk-evaluator processes share the partitions (default 1).</summary>
    public static int ReplicasOf(string[] args)
    {
        var i = Array.IndexOf(args, "--risk-replicas");
        if (i < 0) return 1;
        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 16)
            throw new ArgumentException($"--risk-replicas must be a whole number from 1 to 16, got '{(i + 1 < args.Length ? args[i + 1] : "")}'");
        return n;
    }

    public static LoadScenario Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        double Number(string name, double fallback)
        {
            var raw = Value(name, fallback.ToString(CultureInfo.InvariantCulture));
            if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0)
                throw new ArgumentException($"{name} must be a non-negative number, got '{raw}'");
            return v;
        }
        var duration = TimeSpan.FromSeconds(Number("--duration", 30));
        return new LoadScenario(
            ReplicasOf(args) == 1 ? "custom" : $"custom, {ReplicasOf(args)} risk-evaluators",
            (int)Number("--rate", 1000),
            duration,
            Math.Max(1, (int)Number("--strategies", 1000)),
            Math.Min(1, Number("--loss-share", 0.01)),
            !args.Contains("--no-conflation"),
            Number("--burst-factor", 1),
            TimeSpan.FromSeconds(Number("--burst-seconds", 0)),
            TimeSpan.FromSeconds(Number("--warmup", DefaultWarmup.TotalSeconds)),
            !args.Contains("--no-pnl-observer"),
            ReplicasOf(args));
    }
}
