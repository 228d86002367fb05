using System.Net;
using OpsBot.Testing;

namespace OpsBot.Faults.Tests;

/// <summary>
/// RabbitMQ stopped for 20 s mid-stream and started again (a real rabbitmq-server): the services
/// reconnect by themselves, pnl-ingest holds what arrives meanwhile (the latest PnL per strategy),
/// and every alert raised before, during and after reaches Slack — once.
/// </summary>
public sealed class BrokerOutageTests : IAsyncLifetime
{
    private readonly DedicatedInfra _infra = new();

    public Task InitializeAsync() => _infra.InitializeAsync();

    [Fact]
    public async Task A_20_second_broker_outage_loses_no_alert_and_duplicates_none()
    {
        await using var scenario = await FaultScenario.StartAsync(_infra);
        await scenario.PublishPnlAsync("before-a", -1500);
        await scenario.WaitForSlackAsync("before-a", TimeSpan.FromSeconds(30));

        await _infra.StopRabbitAsync();
        var outage = DateTime.UtcNow;
        // While the broker is down: losses of three strategies, and a strategy that swings 50 times
        // and ends in a loss (conflation keeps only its latest PnL).
        foreach (var strategy in new[] { "during-a", "during-b", "during-c" }) await scenario.PublishPnlAsync(strategy, -1500);
        for (var i = 0; i < 50; i++) await scenario.PublishPnlAsync("during-swing", i % 2 == 0 ? 100 : -100);
        await scenario.PublishPnlAsync("during-swing", -1800);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.True(HttpStatusCode.ServiceUnavailable == await scenario.Services["notifier"].StatusAsync("readyz"), await scenario.Services["notifier"].GetStringAsync("readyz").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : t.Exception!.InnerException!.Message));
        Assert.Equal(HttpStatusCode.OK, await scenario.Services["pnl-ingest"].StatusAsync("healthz")); // alive, not restarted
        var remaining = TimeSpan.FromSeconds(20) - (DateTime.UtcNow - outage);
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining);
        await _infra.StartRabbitAsync();

        foreach (var service in scenario.Services.Values) await service.WaitReadyAsync(TimeSpan.FromSeconds(90));
        foreach (var strategy in new[] { "during-a", "during-b", "during-c", "during-swing" })
            await scenario.WaitForSlackAsync(strategy, TimeSpan.FromSeconds(60));
        await scenario.PublishPnlAsync("after-a", -1500);
        await scenario.WaitForSlackAsync("after-a", TimeSpan.FromSeconds(30));

        // Positive sentinel, not a fixed wait: each strategy falls through the next level (-2,000) now. Its second alert
        // takes the same partition queue, the same notifier queue and the same Slack pacing as any redelivered copy of
        // its first, so once the second has arrived a duplicate of the first would have arrived before it.
        string[] strategies = ["before-a", "during-a", "during-b", "during-c", "during-swing", "after-a"];
        foreach (var strategy in strategies) await scenario.PublishPnlAsync(strategy, -2500);
        foreach (var strategy in strategies) await scenario.WaitForSlackAsync(strategy, TimeSpan.FromSeconds(30), atLeast: 2);

        foreach (var strategy in strategies)
            Assert.Equal(2, scenario.SlackMessagesAbout(strategy)); // the first alert once, then the sentinel's
        var metrics = await scenario.Services["pnl-ingest"].GetStringAsync("metrics");
        Assert.Matches(@"opsbot_pnl_conflated_total(\{[^}]*\})? [1-9]", metrics);
    }

    public Task DisposeAsync() => _infra.DisposeAsync();
}
