using System.Collections.Concurrent;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using OpsBot.Contracts;
using OpsBot.Testing;

namespace OpsBot.PnlIngest.Tests;

/// <summary>
/// Issue 13, item 2, on the real process and broker: pnl-ingest polls a platform /metrics page and publishes
/// <c>KillSwitchChanged</c>. A switch found released at start is not a change (the old code announced
/// "Kill switch released" at every start); a switch found engaged at start is published; later flips are.
/// "Nothing else" is proven by sentinels: each later flip is published after the start's scrape, in order.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class KillSwitchAtStartTests(InfraFixture infra) : IAsyncLifetime
{
    private WebApplication _metrics = null!;
    private volatile int _global;   // released at start
    private volatile int _venueA = 1; // engaged at start

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        _metrics = builder.Build();
        _metrics.MapGet("/metrics", () => Results.Text(
            "# TYPE trading_kill_switch_engaged gauge\n" +
            $"trading_kill_switch_engaged{{scope=\"global\"}} {_global}\ntrading_kill_switch_engaged{{scope=\"venue-a\"}} {_venueA}\n",
            "text/plain; version=0.0.4"));
        await _metrics.StartAsync();
    }

    [Fact]
    public async Task A_released_switch_at_start_is_not_announced_an_engaged_one_is_and_later_flips_are()
    {
        var rabbit = await infra.CreateVirtualHostAsync();
        var url = new Uri(rabbit);
        var user = url.UserInfo.Split(':');
        var seen = new ConcurrentQueue<KillSwitchChanged>();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(url.Host, (ushort)url.Port, url.AbsolutePath.Trim('/'), h => { h.Username(user[0]); h.Password(user[1]); });
            cfg.ReceiveEndpoint("test-killswitch-observer", e => e.Handler<KillSwitchChanged>(ctx => { seen.Enqueue(ctx.Message); return Task.CompletedTask; }));
        });
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        try
        {
            await using var ingest = ServiceProcess.Start("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", new Dictionary<string, string>
            {
                ["RABBITMQ_URL"] = rabbit,
                ["REDIS_URL"] = infra.RedisUrl,
                ["PNL_CHANNEL"] = $"pnl-killstart-{Guid.NewGuid():N}",
                ["METRICS_URL"] = _metrics.Urls.First() + "/metrics",
                ["METRICS_SCRAPE_INTERVAL"] = "0.5",
            });

            // The start's scrape: venue-a engaged is published (and global released, in the same scrape, is not).
            await WaitForAsync(seen, 1, ingest);
            // Sentinel 1: global engages; its change comes after anything the start's scrape published.
            _global = 1;
            await WaitForAsync(seen, 2, ingest);
            // Sentinel 2: a real release is a change and is published.
            _global = 0;
            await WaitForAsync(seen, 3, ingest);

            Assert.Equal([("venue-a", true), ("global", true), ("global", false)], seen.Select(m => (m.Scope, m.Engaged)));
            Assert.Contains(ingest.Output, l => l.Contains("Kill switch global is released (first observation"));
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static async Task WaitForAsync(ConcurrentQueue<KillSwitchChanged> seen, int count, ServiceProcess ingest)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (seen.Count < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{seen.Count} KillSwitchChanged seen, expected {count}: {string.Join(", ", seen.Select(m => $"{m.Scope}={m.Engaged}"))}\n{string.Join('\n', ingest.Output.TakeLast(30))}");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync() => await _metrics.DisposeAsync();
}
