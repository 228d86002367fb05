using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsBot.Contracts;
using OpsBot.PlatformMetrics;
using OpsBot.PnlIngest;

namespace OpsBot.PnlIngest.Tests;

/// <summary>pnl-ingest's polling path: kill-switch transitions from the scraped gauge become KillSwitchChanged, with no Redis involved.</summary>
public sealed class KillSwitchPollingTests
{
    private static readonly PlatformMetricsOptions Options = new(new Uri("http://platform/metrics"), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), "trading_kill_switch_engaged", "scope");

    // Issue 13, item 2: the first observation of a released switch is not a change (no false "released" at every start).
    // On the old code the first scrape published global=released, so the list began with false.
    [Fact]
    public async Task A_released_switch_at_start_is_not_published_an_engaged_one_is_and_then_only_transitions()
    {
        await using var provider = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var publisher = new KillSwitchPublisher(harness.Bus, new KillSwitchReader(Options), new KillSwitchTracker(), Options, new FakeTimeProvider(), NullLogger<KillSwitchPublisher>.Instance);
        var parser = new PrometheusTextParser();
        Task Scrape(string text) => publisher.OnScrapedAsync(new ScrapeResult(DateTimeOffset.UtcNow, parser.Parse(text), null, "", TimeSpan.Zero), default);

        await Scrape("trading_kill_switch_engaged{scope=\"global\"} 0");
        await Scrape("trading_kill_switch_engaged{scope=\"global\"} 0");
        await publisher.OnScrapedAsync(new ScrapeResult(DateTimeOffset.UtcNow, null, ScrapeFailure.Timeout, "", TimeSpan.Zero), default);
        await Scrape("trading_kill_switch_engaged{scope=\"global\"} 1");
        await Scrape("trading_kill_switch_engaged{scope=\"global\"} 1");
        await Scrape("trading_kill_switch_engaged{scope=\"global\"} 0");
        await Scrape("trading_kill_switch_engaged{scope=\"global\"} 0\ntrading_kill_switch_engaged{scope=\"venue-a\"} 1");

        var published = harness.Published.Select<KillSwitchChanged>().Select(m => m.Context.Message).ToList();
        Assert.Equal([("global", true), ("global", false), ("venue-a", true)], published.Select(m => (m.Scope, m.Engaged)));
        Assert.All(published, m => Assert.Equal("trading_kill_switch_engaged", m.Source));
    }
}
