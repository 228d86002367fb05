using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Two notifier processes (competing consumers on the same queues) sharing one Redis send each alert once.</summary>
public sealed class ReplicaTests(InfraFixture infra) : NotifierTestBase(infra)
{
    [Fact]
    public async Task Two_notifier_processes_sharing_redis_send_each_repeated_alert_once()
    {
        var env = Settings(slack: true, teams: true);
        env["LOG_FORMAT"] = "text";
        await using var a = ServiceProcess.Start("notifier-a", "services/notifier", "OpsBot.Notifier", env);
        await using var b = ServiceProcess.Start("notifier-b", "services/notifier", "OpsBot.Notifier", env);
        await Task.WhenAll(a.WaitReadyAsync(TimeSpan.FromSeconds(60)), b.WaitReadyAsync(TimeSpan.FromSeconds(60)));

        // Ten keys, each raised six times (distinct AlertIds) and one of them published twice as the same message:
        // prefetch spreads them over both replicas.
        var twice = TestBus.Alert("replica:key-0");
        await Bus.Publish(twice);
        await Bus.Publish(twice);
        for (var round = 0; round < 6; round++)
            for (var k = 0; k < 10; k++)
                await Bus.Publish(TestBus.Alert($"replica:key-{k}"));

        await TestBus.Until(() => Enumerable.Range(0, 10).All(k => SlackAccepted($"replica:key-{k}").Count > 0 && TeamsAccepted($"replica:key-{k}").Count > 0),
            TimeSpan.FromSeconds(30), () => $"slack {SlackAccepted().Count}, teams {TeamsAccepted().Count}");
        await SentinelAsync(teams: true); // anything late would be a duplicate, and would come before the sentinel
        for (var k = 0; k < 10; k++)
        {
            Assert.Single(SlackAccepted($"replica:key-{k}"));
            Assert.Single(TeamsAccepted($"replica:key-{k}"));
        }
        // AlertDelivered follows each accepted post over the bus: wait for it rather than race it (a busy machine).
        await TestBus.Until(() => Bus.Delivered.Count(d => d.DedupKey.StartsWith("replica:", StringComparison.Ordinal)) >= 20, TimeSpan.FromSeconds(60), () => $"{Bus.Delivered.Count} AlertDelivered");
        Assert.Equal(20, Bus.Delivered.Count(d => d.DedupKey.StartsWith("replica:", StringComparison.Ordinal)));
        // Both replicas took part (each logged suppressions or deliveries).
        Assert.Contains(a.Output, l => l.Contains("replica:key-"));
        Assert.Contains(b.Output, l => l.Contains("replica:key-"));
        Assert.DoesNotContain(a.Output.Concat(b.Output), l => l.Contains(Token) || l.Contains(Teams.Signature));
    }
}
