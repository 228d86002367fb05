using Microsoft.Extensions.Time.Testing;
using OpsBot.PlatformMetrics;

namespace OpsBot.PlatformMetrics.Tests;

public sealed class KillSwitchAndFreshnessTests
{
    private static readonly PlatformMetricsOptions Options = new(new Uri("http://x/metrics"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), "trading_kill_switch_engaged", "scope");

    [Fact]
    public void Reads_the_configured_gauge_per_scope_and_ignores_NaN()
    {
        var metrics = new PrometheusTextParser().Parse("""
            trading_kill_switch_engaged 0
            trading_kill_switch_engaged{scope="venue-a"} 1
            trading_kill_switch_engaged{scope="venue-b"} NaN
            other_gauge{scope="venue-c"} 1
            """);
        var states = new KillSwitchReader(Options).Read(metrics);
        Assert.Equal(new Dictionary<string, bool> { ["global"] = false, ["venue-a"] = true }, states);
    }

    [Fact]
    public void Tracker_reports_first_states_then_only_transitions_and_repeats_uncommitted_ones()
    {
        var tracker = new KillSwitchTracker();
        var first = tracker.Changes(new Dictionary<string, bool> { ["global"] = false, ["venue-a"] = true });
        Assert.Equal([("global", false), ("venue-a", true)], first);
        foreach (var (scope, engaged) in first) tracker.Commit(scope, engaged);

        Assert.Empty(tracker.Changes(new Dictionary<string, bool> { ["global"] = false, ["venue-a"] = true }));
        var flip = tracker.Changes(new Dictionary<string, bool> { ["global"] = true, ["venue-a"] = true });
        Assert.Equal([("global", true)], flip);
        // not committed (publish failed): reported again next time
        Assert.Equal([("global", true)], tracker.Changes(new Dictionary<string, bool> { ["global"] = true }));
    }

    [Fact]
    public void Health_is_ok_only_within_the_freshness_window_of_the_last_good_scrape()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T10:00:00Z"));
        var state = new PlatformMetricsState(Options, time);
        Assert.Equal(MetricsHealth.NoData, state.Health());

        var good = new PrometheusTextParser().Parse("x 1");
        state.Record(new ScrapeResult(time.GetUtcNow(), good, null, "", TimeSpan.Zero));
        Assert.Equal(MetricsHealth.Ok, state.Health());

        time.Advance(TimeSpan.FromSeconds(30));
        state.Record(new ScrapeResult(time.GetUtcNow(), null, ScrapeFailure.HttpStatus, "HTTP 500", TimeSpan.Zero));
        Assert.Equal(MetricsHealth.Ok, state.Health()); // one failure inside the window does not flap it

        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(MetricsHealth.NoData, state.Health());
    }
}
