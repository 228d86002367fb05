using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using OpsBot.Testing;

namespace OpsBot.Faults.Tests;

/// <summary>
/// Redis restarted under the running services (a real redis-server): pnl-ingest's readiness follows
/// the outage, the kill switch still arrives by polling METRICS_URL while Redis is down (the operations guide's
/// runbook), and after Redis is back pnl-ingest has resubscribed by itself.
/// </summary>
public sealed class RedisRestartTests : IAsyncLifetime
{
    private readonly DedicatedInfra _infra = new(ownRabbitMq: false); // it stops Redis only
    private WebApplication _metrics = null!;
    private volatile int _killSwitch;

    public async Task InitializeAsync()
    {
        await _infra.InitializeAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        _metrics = builder.Build();
        _metrics.MapGet("/metrics", () => Results.Text(
            "# HELP trading_kill_switch_engaged Kill switch state\n# TYPE trading_kill_switch_engaged gauge\n" +
            $"trading_kill_switch_engaged{{scope=\"global\"}} {_killSwitch}\n", "text/plain; version=0.0.4"));
        await _metrics.StartAsync();
    }

    [Fact]
    public async Task Readiness_follows_redis_the_kill_switch_arrives_by_polling_and_pnl_ingest_resubscribes()
    {
        await using var scenario = await FaultScenario.StartAsync(_infra, extra: new Dictionary<string, string>
        {
            ["METRICS_URL"] = _metrics.Urls.First() + "/metrics",
            ["METRICS_SCRAPE_INTERVAL"] = "0.5",
            ["METRICS_FRESHNESS"] = "5",
        });
        var ingest = scenario.Services["pnl-ingest"];
        await scenario.PublishPnlAsync("before-redis", -1500);
        await scenario.WaitForSlackAsync("before-redis", TimeSpan.FromSeconds(30));

        await _infra.StopRedisAsync();
        await WaitForStatusAsync(ingest, HttpStatusCode.ServiceUnavailable);
        _killSwitch = 1; // the platform engages its kill switch while Redis is down
        await WaitForSlackTextAsync(scenario, "Kill switch ENGAGED (global)");

        await _infra.StartRedisAsync();
        await WaitForStatusAsync(ingest, HttpStatusCode.OK);
        // Resubscribed: a PnL published after the restart is ingested (retry until the subscription is back).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (scenario.SlackMessagesAbout("after-redis") == 0 && DateTime.UtcNow < deadline)
        {
            await scenario.PublishPnlAsync("after-redis", -1500);
            await Task.Delay(1000);
        }
        await scenario.WaitForSlackAsync("after-redis", TimeSpan.FromSeconds(5));
        Assert.Equal(1, scenario.SlackMessagesAbout("after-redis"));
        Assert.Equal(1, scenario.Slack.Requests.Count(r => (r.Text ?? "").Contains("Kill switch ENGAGED (global)")));
    }

    private static async Task WaitForStatusAsync(ServiceProcess service, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await service.StatusAsync("readyz") != expected)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{service.Name} /readyz never answered {(int)expected}");
            await Task.Delay(200);
        }
    }

    private static async Task WaitForSlackTextAsync(FaultScenario scenario, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!scenario.Slack.Requests.Any(r => (r.Text ?? "").Contains(text)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Slack never received '{text}'");
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        await _metrics.DisposeAsync();
        await _infra.DisposeAsync();
    }
}
