using OpsBot.LoadTest;

namespace OpsBot.EndToEnd.Tests.LoadTest;

/// <summary>The load harness's scenarios: the command line, the warm-up, the burst schedule and the percentiles it reports.</summary>
public sealed class LoadScenarioTests
{
    [Fact]
    public void The_command_line_sets_warm_up_observer_and_conflation_and_defaults_to_a_20_s_warm_up()
    {
        var custom = LoadScenario.Parse(["--rate", "6000", "--duration", "30", "--warmup", "7", "--no-pnl-observer", "--no-conflation"]);
        Assert.Equal(6000, custom.Rate);
        Assert.Equal(TimeSpan.FromSeconds(30), custom.Duration);
        Assert.Equal(TimeSpan.FromSeconds(7), custom.WarmupLength);
        Assert.False(custom.ObservePnl);
        Assert.False(custom.Conflation);

        var plain = LoadScenario.Parse([]);
        Assert.Equal(TimeSpan.FromSeconds(20), plain.WarmupLength);
        Assert.True(plain.ObservePnl);
        Assert.True(plain.Conflation);
    }

    [Fact]
    public void A_bad_number_is_refused_with_the_option_named()
    {
        var e = Assert.Throws<ArgumentException>(() => LoadScenario.Parse(["--warmup", "-3"]));
        Assert.Contains("--warmup", e.Message);
    }

    [Fact]
    public void A_burst_sits_in_the_middle_of_the_run_at_the_given_factor()
    {
        var burst = new LoadScenario("b", 1000, TimeSpan.FromSeconds(20), 1000, 0.01, Conflation: true, BurstFactor: 10, BurstLength: TimeSpan.FromSeconds(5));
        Assert.Equal(7_500, burst.ExpectedBy(TimeSpan.FromSeconds(7.5)));            // before: the base rate
        Assert.Equal(10_000 + 9 * 2_500, burst.ExpectedBy(TimeSpan.FromSeconds(10))); // halfway through the burst
        Assert.Equal(20_000 + 9 * 5_000, burst.ExpectedBy(TimeSpan.FromSeconds(25))); // capped at the duration
    }

    [Fact]
    public void The_suite_counts_the_conflation_off_throughput_without_a_harness_queue_and_watches_pnl_elsewhere()
    {
        var suite = LoadScenario.Suite(1);
        Assert.Equal(4, suite.Count);
        Assert.All(suite, s => Assert.Equal(s.Conflation, s.ObservePnl));
        Assert.All(suite, s => Assert.True(s.WarmupLength >= TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void Percentiles_are_nearest_rank_and_empty_sets_say_so()
    {
        var p = Percentiles.Of(Enumerable.Range(1, 200).Select(i => (double)i));
        Assert.Equal(100, p.P50);
        Assert.Equal(198, p.P99);
        Assert.Equal(200, p.Max);
        Assert.Equal("n/a", Percentiles.Of([]).ToString());
    }
}
