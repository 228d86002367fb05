using System.Net;
using System.Text;
using OpsBot.PlatformMetrics;
using Xunit.Abstractions;

namespace OpsBot.PlatformMetrics.Tests;

/// <summary>
/// Issue 13 item 9: the scraper capped the body at 16 MiB, but read it whole into a string, split it into one string
/// per line and kept every sample with its own label dictionary, and the last good result stays in
/// <see cref="PlatformMetricsState"/>: a 16 MiB page of tiny samples retained hundreds of MiB. The page is now parsed
/// as it streams in and only the kill-switch gauge is kept, at most <see cref="PrometheusTextParser.MaxSamplesKept"/>
/// samples of it. These tests measure the bytes allocated by one scrape and the bytes retained after it.
/// </summary>
[Collection(nameof(MemoryMeasurement))]
public sealed class PlatformMetricsMemoryTests(ITestOutputHelper output)
{
    private const int PageBytes = MetricsScraper.MaxBodyBytes - 4096;

    private static readonly PlatformMetricsOptions Options = new(
        new Uri("http://platform.test/metrics"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60),
        PlatformMetricsOptions.DefaultKillSwitchMetric, PlatformMetricsOptions.DefaultScopeLabel);

    /// <summary>Just under 16 MiB of <paramref name="line"/>(i), then <paramref name="last"/>; and how many sample lines it holds.</summary>
    private static (byte[] Page, int Samples) Page(Func<int, string> line, string last)
    {
        var text = new StringBuilder(PageBytes);
        var count = 0;
        while (text.Length < PageBytes - 200)
        {
            text.Append(line(count)).Append('\n');
            count++;
        }
        text.Append(last).Append('\n');
        return (Encoding.UTF8.GetBytes(text.ToString()), count + 1);
    }

    private async Task<(ScrapeResult Result, PlatformMetricsState State, long Allocated, long Retained)> ScrapeAndMeasureAsync(byte[] page)
    {
        using var http = new HttpClient(new PageHandler(page));
        var scraper = new MetricsScraper(http, Options, PrometheusTextParser.ForKillSwitch(Options), TimeProvider.System);
        var state = new PlatformMetricsState(Options, TimeProvider.System);
        await scraper.ScrapeAsync(default); // warm-up: JIT and first-use allocations are not the page's

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var result = await scraper.ScrapeAsync(default);
        state.Record(result); // the last good result is retained, as in the services
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(state);
        return (result, state, allocated, retained);
    }

    [Fact]
    public async Task A_16_MiB_page_of_tiny_samples_is_parsed_whole_in_bounded_memory_and_keeps_only_the_kill_switch()
    {
        var (page, samples) = Page(i => $"m{i} 1", "trading_kill_switch_engaged{scope=\"global\"} 1");

        var (result, state, allocated, retained) = await ScrapeAndMeasureAsync(page);

        output.WriteLine($"page {page.Length} bytes, {samples} samples: allocated {allocated / 1024} KiB, retained {retained / 1024} KiB");
        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(samples, result.Metrics!.SampleCount); // every line was read ...
        Assert.Equal(1, result.Metrics.SamplesKept);         // ... and only the kill switch kept
        Assert.True(new KillSwitchReader(Options).Read(state.LastGood!.Metrics!)["global"]); // the last line of the page counts
        Assert.True(retained < 1024 * 1024, $"retained {retained} bytes after a 16 MiB page");
        Assert.True(allocated < 8 * 1024 * 1024, $"allocated {allocated} bytes to parse a 16 MiB page");
    }

    [Fact]
    public async Task A_16_MiB_page_of_kill_switch_scopes_keeps_at_most_the_bound_and_counts_the_rest()
    {
        var (page, samples) = Page(i => $"trading_kill_switch_engaged{{scope=\"s{i}\"}} 0", "trading_kill_switch_engaged{scope=\"global\"} 1");

        var (result, _, allocated, retained) = await ScrapeAndMeasureAsync(page);

        output.WriteLine($"page {page.Length} bytes, {samples} samples: allocated {allocated / 1024} KiB, retained {retained / 1024} KiB");
        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(samples, result.Metrics!.SampleCount);
        Assert.Equal(PrometheusTextParser.MaxSamplesKept, result.Metrics.SamplesKept);
        Assert.Equal(samples - PrometheusTextParser.MaxSamplesKept, result.Metrics.SamplesDropped);
        Assert.True(retained < 2 * 1024 * 1024, $"retained {retained} bytes after a 16 MiB page");
        Assert.True(allocated < 16 * 1024 * 1024, $"allocated {allocated} bytes to parse a 16 MiB page");
    }

    [Fact]
    public void A_line_longer_than_the_bound_is_one_malformed_line_and_is_not_buffered()
    {
        var parser = new PrometheusTextParser();
        var session = parser.Begin();
        session.Feed("before 1\nhuge{a=\"");
        var chunk = new string('x', 8192);
        for (var i = 0; i < 2048; i++) session.Feed(chunk); // 16 Mi characters on one line
        session.Feed("\"} 1\nafter 2\n");
        var metrics = session.Complete();

        Assert.Equal(1, metrics.MalformedLines);
        Assert.Contains("longer than", metrics.Errors.Single());
        Assert.Equal(["before", "after"], metrics.Families.Select(f => f.Name));
    }

    private sealed class PageHandler(byte[] page) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(page) });
    }
}
