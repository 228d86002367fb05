using OpsBot.LoadTest;
using OpsBot.Testing;

namespace OpsBot.EndToEnd.Tests.LoadTest;

/// <summary>
/// The pure parts of <c>scripts/loadtest --restart-profile</c> (issue 12, item 6): its scenario, the per-second
/// windows it cuts latencies into, the first window that meets the goal; and where services run from.
/// </summary>
public sealed class RestartProfileTests
{
    [Fact]
    public void The_restart_profile_never_warms_up_and_defaults_to_the_suites_1k_latency_load_for_90_s()
    {
        var profile = RestartProfile.Scenario(["--restart-profile"]);
        Assert.Equal(TimeSpan.Zero, profile.WarmupLength);
        Assert.Equal(1000, profile.Rate);
        Assert.Equal(1000, profile.Strategies);
        Assert.Equal(0.01, profile.LossShare);
        Assert.True(profile.Conflation);
        Assert.True(profile.ObservePnl);
        Assert.Equal(1, profile.BurstFactor);
        Assert.Equal(TimeSpan.FromSeconds(90), profile.Duration);
        Assert.Equal(50, RestartProfile.GoalMs(["--restart-profile"]));

        // A --warmup on the command line does not bring a warm-up back: the point is the cold start.
        var custom = RestartProfile.Scenario(["--restart-profile", "--duration", "40", "--rate", "500", "--warmup", "30"]);
        Assert.Equal(TimeSpan.FromSeconds(40), custom.Duration);
        Assert.Equal(500, custom.Rate);
        Assert.Equal(TimeSpan.Zero, custom.WarmupLength);
    }

    [Fact]
    public void A_bad_goal_is_refused_with_the_option_named()
    {
        var e = Assert.Throws<ArgumentException>(() => RestartProfile.GoalMs(["--goal-ms", "0"]));
        Assert.Contains("--goal-ms", e.Message);
    }

    [Fact]
    public void Latencies_fall_into_one_second_windows_by_send_time_with_empty_seconds_kept()
    {
        var windows = LatencyWindows.PerSecond([(2.1, 300), (2.9, 100), (3.0, 10), (5.5, 20), (5.7, 40)]);
        Assert.Equal([2, 3, 4, 5], windows.Select(w => w.Second));
        Assert.Equal([2, 1, 0, 2], windows.Select(w => w.Count));
        Assert.Equal(300, windows[0].P99Ms);          // nearest rank: of two samples, the slower
        Assert.Equal(10, windows[1].P99Ms);
        Assert.True(double.IsNaN(windows[2].P99Ms)); // nothing sent in that second
        Assert.Equal(40, windows[3].P99Ms);
        Assert.Empty(LatencyWindows.PerSecond([]));
    }

    [Fact]
    public void The_first_window_under_the_goal_needs_samples_and_a_run_of_them_needs_every_window()
    {
        // Second 4 is under 50 ms, 5 is a stall, 6 has no alert at all, 7–11 stay under.
        var samples = new List<(double, double)> { (3.5, 900), (4.5, 30), (5.5, 120) };
        samples.AddRange(Enumerable.Range(7, 5).Select(s => (s + 0.5, 20.0)));
        var windows = LatencyWindows.PerSecond(samples);

        Assert.Equal(4, LatencyWindows.FirstUnder(windows, 50)?.Second);
        Assert.Equal(7, LatencyWindows.FirstUnder(windows, 50, consecutive: 5)?.Second);  // 6 (empty) breaks the run
        Assert.Null(LatencyWindows.FirstUnder(windows, 50, consecutive: 6));
        Assert.Null(LatencyWindows.FirstUnder(windows, 10));
        Assert.Null(LatencyWindows.FirstUnder(windows, 50, minSamples: 2));
    }

    [Fact]
    public void Services_run_from_the_published_folder_when_one_is_named_else_from_the_build_output()
    {
        var published = Directory.CreateTempSubdirectory("opsbot-services-");
        try
        {
            Directory.CreateDirectory(Path.Combine(published.FullName, "notifier"));
            var dll = Path.Combine(published.FullName, "notifier", "OpsBot.Notifier.dll");
            File.WriteAllText(dll, "");
            Assert.Equal(dll, RepoPaths.ServiceDll("services/notifier", "OpsBot.Notifier", published.FullName));

            var missing = Assert.Throws<FileNotFoundException>(() => RepoPaths.ServiceDll("services/pnl-ingest", "OpsBot.PnlIngest", published.FullName));
            Assert.Contains("scripts/publish-services", missing.Message);

            // The test project references notifier, so its build output is there.
            Assert.Equal(Path.Combine(RepoPaths.Root, "services/notifier", "bin", RepoPaths.Configuration, "net10.0", "OpsBot.Notifier.dll"),
                RepoPaths.ServiceDll("services/notifier", "OpsBot.Notifier", null));
        }
        finally
        {
            published.Delete(recursive: true);
        }
    }
}
