using System.Net;
using System.Net.Sockets;
using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Separate queues: an outage of Slack (it accepts connections and never answers) does not delay Teams.</summary>
public sealed class OutageIsolationTests(InfraFixture infra) : NotifierTestBase(infra)
{
    [Fact]
    public async Task A_slack_outage_does_not_delay_teams()
    {
        // Bad input: Slack hangs. A listener that accepts and never answers; every post times out after 5 s.
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start(100);
        var held = new List<TcpClient>();
        _ = Task.Run(async () => { while (true) { try { held.Add(await blackHole.AcceptTcpClientAsync()); } catch { return; } } });
        var settings = Settings(slack: true, teams: true);
        settings["SLACK_API_URL"] = $"http://127.0.0.1:{((IPEndPoint)blackHole.LocalEndpoint).Port}/api/";
        // Each Slack post hangs for a whole minute. Teams coupled to Slack would wait for at least that; on its own queue it
        // finishes while Slack's first post still hangs. The bound is that minute, not a guess at the machine's speed
        // (issue 13, item 12: the old bound was 4 s of wall clock).
        settings["NOTIFIER_HTTP_TIMEOUT"] = "60";
        await StartNotifierAsync(settings);

        var started = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++) await Bus.Publish(TestBus.Alert($"outage:key-{i}"));
        await TestBus.Until(() => Enumerable.Range(0, 3).All(i => TeamsAccepted($"outage:key-{i}").Count == 1), TimeSpan.FromSeconds(55),
            () => $"teams got {TeamsAccepted().Count}");
        var lastTeams = Teams.Requests.Where(r => r.Accepted).Max(r => r.At);
        Assert.True(lastTeams - started < TimeSpan.FromSeconds(60), $"Teams took {(lastTeams - started).TotalSeconds:F1} s, as long as one hanging Slack post");
        // AlertDelivered follows each accepted post over the bus: wait for it rather than race it.
        await TestBus.Until(() => Bus.Delivered.Count(d => d.Channel == DeliveryChannel.Teams) >= 3, TimeSpan.FromSeconds(10),
            () => $"{Bus.Delivered.Count} delivered");
        Assert.Equal(3, Bus.Delivered.Count(d => d.Channel == DeliveryChannel.Teams));
        Assert.DoesNotContain(Bus.Delivered, d => d.Channel == DeliveryChannel.Slack);
        Assert.All(Bus.Delivered, d => Assert.Equal("teams", d.Destination)); // never the webhook URL
        foreach (var c in held) c.Dispose();
    }
}
