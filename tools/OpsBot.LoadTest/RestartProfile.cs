using System.Globalization;

namespace OpsBot.LoadTest;

/// <summary>
/// <c>--restart-profile</c>: how fast freshly started services are back to steady state. No warm-up: the load
/// starts as soon as the pipeline is ready, and every second is reported.
/// </summary>
public static class RestartProfile
{
    /// <summary>The goal of issue 12: a one-second window whose p99 Redis → AlertRaised is under this.</summary>
    public const double DefaultGoalMs = 50;

    /// <summary>Long enough for the JIT build to settle in most runs (docs/performance.md: 50–135 s under load).</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(90);

    /// <summary>How many windows in a row count as "stays there" (besides the first window under the goal).</summary>
    public const int SteadyRun = 5;

    /// <summary>
    /// The scenario: the "latency at 1k/s" load of the suite (1,000/s over 1,000 strategies, 1 % losses,
    /// conflation on) unless the command line says otherwise, for <see cref="DefaultDuration"/>, never warmed up.
    /// </summary>
    public static LoadScenario Scenario(string[] args)
    {
        var parsed = LoadScenario.Parse(args);
        return parsed with
        {
            Name = "restart profile",
            Duration = args.Contains("--duration") ? parsed.Duration : DefaultDuration,
            Warmup = TimeSpan.Zero,
            BurstFactor = 1,
            BurstLength = TimeSpan.Zero,
            ObservePnl = true,
        };
    }

    /// <summary>The p99 goal in milliseconds (<c>--goal-ms</c>, default 50).</summary>
    public static double GoalMs(string[] args)
    {
        var i = Array.IndexOf(args, "--goal-ms");
        if (i < 0) return DefaultGoalMs;
        var raw = i + 1 < args.Length ? args[i + 1] : "";
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var goal) || goal <= 0)
            throw new ArgumentException($"--goal-ms must be a positive number of milliseconds, got '{raw}'");
        return goal;
    }
}

/// <summary>One second of a run, by send time: [<see cref="Second"/>, <see cref="Second"/> + 1) after the processes started.</summary>
public sealed record LatencyWindow(int Second, int Count, double P99Ms)
{
    public bool Under(double goalMs, int minSamples) => Count >= minSamples && P99Ms < goalMs;
}

/// <summary>Latencies cut into one-second windows by when each was sent, and the first window that meets a goal.</summary>
public static class LatencyWindows
{
    /// <summary>
    /// One window per second from the first sample's second to the last one's, seconds without samples included
    /// (count 0, p99 NaN); p99 is nearest-rank (<see cref="Percentiles"/>), so a window of ten alerts reports its slowest.
    /// </summary>
    public static IReadOnlyList<LatencyWindow> PerSecond(IEnumerable<(double SentSeconds, double LatencyMs)> samples)
    {
        var bySecond = samples.Where(s => s.SentSeconds >= 0).GroupBy(s => (int)Math.Floor(s.SentSeconds)).ToDictionary(g => g.Key, g => g.Select(s => s.LatencyMs).ToList());
        if (bySecond.Count == 0) return [];
        var windows = new List<LatencyWindow>();
        for (var second = bySecond.Keys.Min(); second <= bySecond.Keys.Max(); second++)
        {
            var p = Percentiles.Of(bySecond.GetValueOrDefault(second) ?? []);
            windows.Add(new LatencyWindow(second, p.Count, p.P99));
        }
        return windows;
    }

    /// <summary>
    /// The first window that starts a run of <paramref name="consecutive"/> windows each with at least
    /// <paramref name="minSamples"/> samples and a p99 under <paramref name="goalMs"/>; null when none does.
    /// </summary>
    public static LatencyWindow? FirstUnder(IReadOnlyList<LatencyWindow> windows, double goalMs, int minSamples = 1, int consecutive = 1)
    {
        for (var i = 0; i + consecutive <= windows.Count; i++)
            if (windows.Skip(i).Take(consecutive).All(w => w.Under(goalMs, minSamples))) return windows[i];
        return null;
    }
}
