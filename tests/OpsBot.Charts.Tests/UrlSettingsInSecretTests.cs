using System.Text;

namespace OpsBot.Charts.Tests;

/// <summary>
/// Issue 13 item 4: a URL setting can carry <c>user:password@</c> (or a token in its query), so METRICS_URL,
/// EXCHANGE_WS_URL, VAULT_ADDR, SLACK_API_URL and any other *_URL go to the Secret, never the ConfigMap. Before
/// the fix they were rendered in plain text into the ConfigMap.
/// </summary>
public sealed class UrlSettingsInSecretTests
{
    private static readonly Dictionary<string, string> UrlSettings = new()
    {
        ["METRICS_URL"] = "https://scraper:metrics-pass-31@platform:9100/metrics",
        ["EXCHANGE_WS_URL"] = "wss://feed:exchange-pass-32@exchange.example.com/ws",
        ["VAULT_ADDR"] = "https://vault-user:vault-pass-33@vault:8200",
        ["SLACK_API_URL"] = "https://proxy-user:proxy-pass-34@slack-proxy.internal/api/",
        ["AUDIT_SINK_URL"] = "https://audit:audit-pass-35@audit.internal/",
    };

    private static string[] Args(string prefix) =>
        [.. UrlSettings.SelectMany(kv => new[] { "--set-string", $"{prefix}env.{kv.Key}={kv.Value}" })];

    [Theory]
    [InlineData("ops-bot")]
    [InlineData("pnl-ingest")]
    [InlineData("notifier")]
    [InlineData("market-feed")]
    [InlineData("parity-checker")]
    [InlineData("risk-evaluator")]
    public async Task Url_settings_of_a_service_chart_go_to_the_Secret_never_the_ConfigMap(string chart)
    {
        var helm = await Helm.GetAsync();
        var manifests = await helm.RenderAsync(chart, chart, Args(""));

        var secret = manifests.Single("Secret", chart).StringMap("data");
        var config = manifests.Single("ConfigMap", chart).StringMap("data");
        foreach (var (key, value) in UrlSettings)
        {
            Assert.Equal(value, Encoding.UTF8.GetString(Convert.FromBase64String(secret[key])));
            Assert.DoesNotContain(key, config.Keys);
        }
        var all = string.Join("\n", manifests.Select(m => m.Text));
        foreach (var value in UrlSettings.Values) Assert.DoesNotContain(value, all);
        Assert.DoesNotContain("-pass-3", all); // not even the password alone
    }

    [Fact]
    public async Task Url_settings_given_globally_in_the_umbrella_go_to_every_Secret()
    {
        var helm = await Helm.GetAsync();
        var manifests = await helm.RenderAsync("opsbot", Helm.Umbrella, Args("global."));

        foreach (var service in Helm.Services)
        {
            var secret = manifests.Single("Secret", "opsbot-" + service).StringMap("data");
            var config = manifests.Single("ConfigMap", "opsbot-" + service).StringMap("data");
            foreach (var key in UrlSettings.Keys)
            {
                Assert.Contains(key, secret.Keys);
                Assert.DoesNotContain(key, config.Keys);
            }
        }
        Assert.DoesNotContain("-pass-3", string.Join("\n", manifests.Select(m => m.Text)));
    }

    [Fact]
    public async Task A_url_setting_with_existingSecret_is_refused_instead_of_landing_in_the_ConfigMap()
    {
        var helm = await Helm.GetAsync();
        var result = await helm.TemplateAsync("pnl-ingest", "pnl-ingest", "--set", "existingSecret=pnl-shared", "--set-string", "env.METRICS_URL=" + UrlSettings["METRICS_URL"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("put METRICS_URL into that Secret", result.Stderr);
        Assert.DoesNotContain("metrics-pass-31", result.Stdout + result.Stderr);
    }
}
