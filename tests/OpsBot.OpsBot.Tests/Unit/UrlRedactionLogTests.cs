using OpsBot.Bot;
using OpsBot.Bot.Secrets;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.PlatformMetrics;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Unit;

/// <summary>
/// Issue 13 item 4: ops-bot logged METRICS_URL with <c>GetLeftPart(UriPartial.Path)</c> and Vault's address with
/// <c>GetLeftPart(UriPartial.Authority)</c>, both of which keep <c>user:password@</c>. Every URL is now printed
/// through <c>UrlRedaction</c>; these tests capture the logs and exceptions and fail on the old code.
/// </summary>
public sealed class UrlRedactionLogTests
{
    [Fact]
    public async Task The_start_line_and_the_scrape_log_show_METRICS_URL_without_its_password()
    {
        await using var metrics = new FakeMetricsServer();
        await metrics.StartAsync();
        var url = $"http://scraper:metrics-pw-71@127.0.0.1:{metrics.Port}/metrics";
        await using var bot = await BotHost.StartAsync(BotHost.Settings(null, ("METRICS_URL", url), ("METRICS_SCRAPE_INTERVAL", "3600"), ("METRICS_FRESHNESS", "3600")));

        await bot.Get<MetricsScrapeRunner>().RunOnceAsync(default); // a scrape writes its own line with the URL
        await metrics.StopAsync();
        await bot.Get<MetricsScrapeRunner>().RunOnceAsync(default); // and so does a failed one

        var logs = bot.Logs.All();
        Assert.Contains($"metrics http://***@127.0.0.1:{metrics.Port}/metrics every", logs);
        Assert.Contains($"Platform metrics scraped from http://***@127.0.0.1:{metrics.Port}/metrics", logs);
        Assert.Contains($"Platform metrics unavailable at http://***@127.0.0.1:{metrics.Port}/metrics", logs);
        Assert.DoesNotContain("metrics-pw-71", logs);
        Assert.DoesNotContain("scraper:", logs);
    }

    [Fact]
    public async Task Vault_errors_name_the_address_without_its_user_info()
    {
        var port = global::OpsBot.Testing.ServiceProcess.FreePort(); // nothing listens there
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var store = new VaultSecretStore(http, new Uri($"http://vault-user:vault-pw-72@127.0.0.1:{port}"), new Secret("hvs.token-72"), "secret/opsbot");

        var e = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetAsync("SLACK_BOT_TOKEN", default));

        Assert.Contains($"cannot reach Vault at http://***@127.0.0.1:{port}/", e.Message);
        Assert.DoesNotContain("vault-pw-72", e.Message + store.Description);
        Assert.DoesNotContain("hvs.token-72", e.Message + store.Description);
    }

    [Fact]
    public void BotOptions_and_PlatformMetricsOptions_print_no_password()
    {
        var settings = new global::OpsBot.ServiceDefaults.Settings(new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["REDIS_URL"] = "redis:6379,password=redis-pw-73",
            ["SLACK_API_URL"] = "https://proxy:proxy-pw-73@slack-proxy/api/",
            ["METRICS_URL"] = "https://scraper:metrics-pw-73@platform:9100/metrics?token=metrics-token-73",
        }).Build());

        var printed = BotOptions.From(settings) + " " + PlatformMetricsOptions.From(settings);

        Assert.DoesNotContain("-pw-73", printed);
        Assert.DoesNotContain("metrics-token-73", printed);
        Assert.Contains("https://***@platform:9100/metrics?token=***", printed);
        Assert.Contains("redis:6379,password=***", printed);
    }
}
