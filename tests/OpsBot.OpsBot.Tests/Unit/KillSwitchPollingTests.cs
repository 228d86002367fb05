using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsBot.Contracts;
using OpsBot.PlatformMetrics;
using OpsBot.PnlIngest;

namespace OpsBot.OpsBot.Tests.Unit;

/// <summary>pnl-ingest's polling path: kill-switch transitions from the scraped gauge become KillSwitchChanged, with no Redis involved.</summary>
public sealed class KillSwitchPollingTests
{
    private static readonly PlatformMetricsOptions Options = new(new Uri("http://platform/metrics"), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), "trading_kill_switch_engaged", "scope");

    [Fact]
    public async Task Publishes_first_states_and_then_only_transitions()
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

        var published = harness.Published.Select<KillSwitchChanged>().Select(m => m.Context.Message).ToList();
        Assert.Equal([false, true], published.Select(m => m.Engaged));
        Assert.All(published, m => Assert.Equal(("global", "trading_kill_switch_engaged"), (m.Scope, m.Source)));
    }
}
