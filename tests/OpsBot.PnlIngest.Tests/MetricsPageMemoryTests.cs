using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpsBot.PlatformMetrics;
using OpsBot.Testing;
using Xunit.Abstractions;

namespace OpsBot.PnlIngest.Tests;

/// <summary>
/// Issue 13 item 9, measured where it matters: the resident memory of the real pnl-ingest process (a child process,
/// /proc VmHWM = its peak resident set) while it scrapes a 16 MiB page of tiny samples over and over. Before the fix
/// one such page kept millions of samples, each with its own label dictionary, and the process grew past 1 GiB; the
/// chart's limit is 256 Mi. The scrape log line counts every sample of the page, so the whole page was read.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class MetricsPageMemoryTests(InfraFixture infra, ITestOutputHelper output)
{
    /// <summary>The bound asserted: well under the chart's 256 Mi memory limit.</summary>
    private const long PeakLimitBytes = 200L * 1024 * 1024;

    [Fact]
    public async Task Pnl_ingest_scraping_a_16_MiB_page_of_tiny_samples_stays_within_its_memory_limit()
    {
        var (page, samples) = TinySamplesPage();
        await using var server = await PageServer.StartAsync(page);
        var env = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = await infra.CreateVirtualHostAsync(),
            ["REDIS_URL"] = infra.RedisUrl,
            ["PNL_CHANNEL"] = $"pnl-memory-{Guid.NewGuid():N}",
            ["METRICS_URL"] = server.Url,
            ["METRICS_SCRAPE_INTERVAL"] = "0.5",
            ["METRICS_SCRAPE_TIMEOUT"] = "60",
            ["METRICS_FRESHNESS"] = "60",
        };
        await using var ingest = ServiceProcess.Start("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", env);
        await ingest.WaitReadyAsync(TimeSpan.FromSeconds(60));

        // Positive signal: the process itself counts three good scrapes of the whole page.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        double ok = 0;
        while (DateTime.UtcNow < deadline && !ingest.HasExited)
        {
            ok = GoodScrapes(await ingest.GetStringAsync("metrics"));
            if (ok >= 3) break;
            await Task.Delay(200);
        }
        var (resident, peak) = ingest.HasExited ? (0, 0) : ingest.Memory();
        output.WriteLine($"page {page.Length} bytes; pnl-ingest after {ok} scrapes: resident {resident / (1024 * 1024)} MiB, peak {peak / (1024 * 1024)} MiB");

        Assert.False(ingest.HasExited, string.Join('\n', ingest.Output.TakeLast(20)));
        Assert.True(ok >= 3, $"only {ok} good scrapes; server served {server.Requests}\n" + string.Join('\n', ingest.Output.TakeLast(20)));
        Assert.True(peak < PeakLimitBytes, $"peak resident {peak / (1024 * 1024)} MiB after scraping a 16 MiB page (bound {PeakLimitBytes / (1024 * 1024)} MiB)");
        Assert.Contains(ingest.Output, line => line.Contains($"{samples} samples, 0 malformed lines", StringComparison.Ordinal)); // every line was read
    }

    /// <summary>The <c>ok</c> outcome of <c>opsbot_platform_metrics_scrapes_total</c>, read without the parser under test.</summary>
    private static double GoodScrapes(string metrics) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith("opsbot_platform_metrics_scrapes_total{", StringComparison.Ordinal) && l.Contains("outcome=\"ok\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Just under 16 MiB of distinct tiny samples, the kill switch (engaged) last; and the number of samples.</summary>
    private static (byte[] Page, int Samples) TinySamplesPage()
    {
        var text = new StringBuilder(MetricsScraper.MaxBodyBytes);
        var samples = 0;
        for (; text.Length < MetricsScraper.MaxBodyBytes - 4096; samples++) text.Append('m').Append(samples).Append(" 1\n");
        text.Append("trading_kill_switch_engaged{scope=\"global\"} 1\n");
        return (Encoding.UTF8.GetBytes(text.ToString()), samples + 1);
    }

    private sealed class PageServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private PageServer(WebApplication app, string url) { _app = app; Url = url; }

        public string Url { get; }
        public int Requests => Volatile.Read(ref _requests);

        public static async Task<PageServer> StartAsync(byte[] page)
        {
            var port = ServiceProcess.FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            PageServer? server = null;
            app.MapGet("/metrics", async (HttpContext http) =>
            {
                Interlocked.Increment(ref server!._requests);
                http.Response.ContentType = "text/plain; version=0.0.4";
                http.Response.ContentLength = page.Length;
                await http.Response.Body.WriteAsync(page, http.RequestAborted);
            });
            server = new PageServer(app, $"http://127.0.0.1:{port}/metrics");
            await app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
