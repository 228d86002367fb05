using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;
using StackExchange.Redis;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>
/// Issue 14, item 7: the per-channel pace is shared between notifier replicas through Redis
/// (<see cref="SharedChannelPace"/>). Before, each replica paced itself, so two of them together sent two
/// messages a second to a channel that takes one and drew 429s.
/// </summary>
[Collection(InfraFixture.SecondLane)]
public sealed class SharedPaceTests(InfraFixture infra) : NotifierTestBase(infra)
{
    [Fact]
    public async Task Two_notifier_processes_in_a_storm_draw_no_429_from_a_slack_that_takes_one_message_a_second_per_channel()
    {
        var env = Settings(slack: true);
        env["LOG_FORMAT"] = "text";
        await using var a = ServiceProcess.Start("notifier-a", "services/notifier", "OpsBot.Notifier", env);
        await using var b = ServiceProcess.Start("notifier-b", "services/notifier", "OpsBot.Notifier", env);
        await Task.WhenAll(a.WaitReadyAsync(TimeSpan.FromSeconds(60)), b.WaitReadyAsync(TimeSpan.FromSeconds(60)));

        // A storm of 40 keys in waves: each wave reaches both replicas (competing consumers), each of which has a
        // message ready at the same moment; only a shared pace keeps them one second apart.
        // At least 4 waves, and more (up to 20) until both replicas have delivered some: on a loaded machine one
        // replica's consumer may start taking messages seconds after the other, and a storm only one replica saw
        // would prove nothing about a shared pace.
        var waves = 0;
        bool BothDelivered() => a.Output.Any(l => l.Contains("storm:", StringComparison.Ordinal)) && b.Output.Any(l => l.Contains("storm:", StringComparison.Ordinal));
        while (waves < 4 || (!BothDelivered() && waves < 20))
        {
            for (var k = 0; k < 10; k++) await Bus.Publish(TestBus.Alert($"storm:w{waves}-k{k}"));
            waves++;
            await Task.Delay(700);
        }
        var keys = Enumerable.Range(0, waves).SelectMany(w => Enumerable.Range(0, 10).Select(k => $"storm:w{w}-k{k}")).ToList();
        await TestBus.Until(() => keys.All(k => SlackAccepted(k).Count > 0), TimeSpan.FromSeconds(90),
            () => $"{keys.Count(k => SlackAccepted(k).Count > 0)} of {keys.Count} keys in Slack, 429s {Slack.RateLimitedCount}");

        var posts = Slack.Requests.Where(r => r.Path.EndsWith("chat.postMessage", StringComparison.Ordinal)).OrderBy(r => r.At).ToList();
        Assert.True(Slack.RateLimitedCount == 0, $"{Slack.RateLimitedCount} 429s; posts at (ms after the first, status): " +
            string.Join("\n", posts.Select(r => $"{(r.At - posts[0].At).TotalMilliseconds:F0} {r.Status} {r.At:HH:mm:ss.fff} {r.Text?[..Math.Min(60, r.Text.Length)]}")) + "\n" + string.Join("\n", a.Output.Concat(b.Output).Where(l => l.Contains("pace", StringComparison.OrdinalIgnoreCase) || l.Contains("arn")).Take(20)));
        Assert.Contains(a.Output, l => l.Contains("storm:", StringComparison.Ordinal)); // both replicas delivered
        Assert.Contains(b.Output, l => l.Contains("storm:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_replica_takes_the_turn_one_interval_after_the_first_ones_answer_and_without_redis_nobody_waits()
    {
        var interval = TimeSpan.FromMilliseconds(300);
        var key = SharedChannelPace.KeyOf(Prefix, DeliveryChannel.Slack, SlackChannel);
        using var metrics = new NotifierMetrics();
        var logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var replicaA = new SharedChannelPace(Infra.Redis, key, interval, TimeSpan.FromSeconds(20), metrics, logger);
        var replicaB = new SharedChannelPace(Infra.Redis, key, interval, TimeSpan.FromSeconds(20), metrics, logger);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // A's message is in flight for 400 ms (a slow Slack); B has one ready meanwhile.
        var turnA = await replicaA.TakeTurnAsync(default);
        var waitingB = Task.Run(async () => { var t = await replicaB.TakeTurnAsync(default); return (Turn: t, At: clock.Elapsed); });
        await Task.Delay(400);
        var answeredA = clock.Elapsed;
        await replicaA.EndTurnAsync(turnA);
        var (turnB, grantedB) = await waitingB;
        Assert.True(grantedB - answeredA >= interval - TimeSpan.FromMilliseconds(10),
            $"B's message left {(grantedB - answeredA).TotalMilliseconds:F0} ms after A's answer; the pace is {interval.TotalMilliseconds:F0} ms");
        Assert.NotNull(turnB.Token); // shared through Redis
        await replicaB.EndTurnAsync(turnB);

        // Redis unreachable: the turn is not shared (each replica paces itself), counted, never thrown, never waited for.
        await using var down = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=200");
        var alone = new SharedChannelPace(down, key, interval, TimeSpan.FromSeconds(20), metrics, logger);
        var first = await alone.TakeTurnAsync(default);
        Assert.Null(first.Token);
        await alone.EndTurnAsync(first);
        Assert.Null((await alone.TakeTurnAsync(default)).Token);
    }
}
