using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Two notifier processes (competing consumers on the same queues) sharing one Redis send each alert once.</summary>
[Collection(InfraFixture.SecondLane)]
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

    // Issue 14: incidents across replicas. Alerts of one key reach both processes at once (a small dedup window, so
    // each passes dedup): the first message is claimed in Redis by one delivery (the others wait for its ts and edit),
    // and a severity change is claimed with the decision, so it is replied to once.
    [Fact]
    public async Task Two_notifier_processes_open_one_message_per_incident_and_reply_to_each_severity_change_once()
    {
        var env = Settings();
        env["LOG_FORMAT"] = "text";
        env["ALERT_DEDUP_TTL"] = "0.1";
        env["NOTIFIER_REMINDER_INTERVAL"] = "0";
        env["NOTIFIER_ESCALATE_AFTER"] = "0";
        await using var a = ServiceProcess.Start("notifier-a", "services/notifier", "OpsBot.Notifier", env);
        await using var b = ServiceProcess.Start("notifier-b", "services/notifier", "OpsBot.Notifier", env);
        await Task.WhenAll(a.WaitReadyAsync(TimeSpan.FromSeconds(60)), b.WaitReadyAsync(TimeSpan.FromSeconds(60)));

        const int keys = 5;
        for (var round = 0; round < 4; round++)
            for (var k = 0; k < keys; k++)
                await Bus.Publish(TestBus.Alert($"incident-replica:key-{k}", severity: Contracts.AlertSeverity.Warning));
        await TestBus.Until(() => Enumerable.Range(0, keys).All(k => TopLevel($"incident-replica:key-{k}").Count > 0), TimeSpan.FromSeconds(60), () => $"slack {SlackAccepted().Count}");
        for (var round = 0; round < 4; round++)
            for (var k = 0; k < keys; k++)
                await Bus.Publish(TestBus.Alert($"incident-replica:key-{k}", severity: Contracts.AlertSeverity.Critical));
        await TestBus.Until(() => Enumerable.Range(0, keys).All(k => SeverityReplies($"incident-replica:key-{k}") > 0), TimeSpan.FromSeconds(90), () => $"slack {SlackAccepted().Count}");

        await SentinelAsync(); // anything late would come before it
        for (var k = 0; k < keys; k++)
        {
            Assert.Single(TopLevel($"incident-replica:key-{k}"));
            Assert.True(SeverityReplies($"incident-replica:key-{k}") == 1, $"key-{k}: " + string.Join("\n", Slack.Requests.Where(r => r.Body?.ToJsonString().Contains($"key-{k}") == true || r.Text?.Contains("Severity") == true)
                .Select(r => $"{r.At:HH:mm:ss.fff} {r.Path} {r.Status} ts={r.Ts} thread={r.ThreadTs} {r.Text?[..Math.Min(60, r.Text.Length)]}")) + "\nA:\n" + string.Join("\n", a.Output.Where(l => l.Contains($"key-{k}"))) + "\nB:\n" + string.Join("\n", b.Output.Where(l => l.Contains($"key-{k}"))));
        }
        Assert.Contains(a.Output, l => l.Contains("incident-replica:key-"));
        Assert.Contains(b.Output, l => l.Contains("incident-replica:key-"));
    }

    private IReadOnlyList<FakeSlack.SlackRequest> TopLevel(string key) =>
        SlackAccepted(key).Where(r => r.Path.EndsWith("chat.postMessage") && r.ThreadTs is null).ToList();

    /// <summary>Replies "Severity raised" about the key in the thread of its first message (its ts as the fake Slack answered it; a digest's thread carries several keys).</summary>
    private int SeverityReplies(string key)
    {
        var ts = Slack.Messages.FirstOrDefault(m => m.Body.ToJsonString().Contains(key))?.Ts;
        return ts is null ? 0 : Slack.RepliesTo(SlackChannel, ts).Count(r => r.Text?.Contains("Severity raised") == true && r.Text.Contains($"`{key}`"));
    }
}
