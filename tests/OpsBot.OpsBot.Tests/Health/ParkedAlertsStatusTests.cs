using OpsBot.Bot.Commands;
using OpsBot.Bot.Slack;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;
using RabbitMQ.Client;

namespace OpsBot.OpsBot.Tests.Health;

/// <summary>
/// Issue 13, item 1: <c>/ops status</c> shows the alerts the notifier holds on the real broker — waiting in its
/// <c>_delay_&lt;n&gt;</c> queues and parked in <c>_error</c> — with the re-drive command. Before, nothing showed them.
/// </summary>
[Collection(InfraFixture.SecondLane)]
public sealed class ParkedAlertsStatusTests(InfraFixture infra)
{
    [Fact]
    public async Task Status_shows_how_many_alerts_wait_in_the_delay_queues_and_the_error_queue()
    {
        var rabbit = await infra.CreateVirtualHostAsync();
        await using (var connection = await BrokerQueues.Factory(RabbitMqAddress.Parse(rabbit), "test-setup").CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            // The notifier's queues as it leaves them: Slack with two wait queues and an error queue, Teams never set up.
            foreach (var queue in new[] { "notifier-slack", "notifier-slack_delay_1", "notifier-slack_delay_2", "notifier-slack_error" })
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            foreach (var (queue, count) in new[] { ("notifier-slack_delay_1", 2), ("notifier-slack_delay_2", 1), ("notifier-slack_error", 3) })
                for (var i = 0; i < count; i++)
                    await channel.BasicPublishAsync("", queue, true, new BasicProperties { Persistent = true }, "{}"u8.ToArray());
        }

        await using var bot = await BotHost.StartAsync(BotHost.Settings(null, ("RABBITMQ_URL", rabbit)));
        var status = await StatusAsync(bot);
        Assert.Contains("• `notifier-slack`: *3* waiting to be retried (`notifier-slack_delay_1` 2, `notifier-slack_delay_2` 1), *3* parked in `notifier-slack_error`" +
                        " — re-drive after fixing the cause: `scripts/redrive notifier-slack_error`", status);
        Assert.DoesNotContain("notifier-teams", status); // no queue of a channel that is not set up
        Assert.DoesNotContain("guest:", status);
    }

    [Fact]
    public async Task Status_says_unknown_when_the_broker_does_not_answer()
    {
        var closed = ServiceProcess.FreePort(); // nothing listens there
        // Never ready (no broker), so do not wait for /readyz.
        await using var bot = await BotHost.StartAsync(BotHost.Settings(null, ("RABBITMQ_URL", $"amqp://guest:secret-pw@127.0.0.1:{closed}/")), waitReady: false);
        var status = await StatusAsync(bot);
        Assert.Contains("• undelivered alerts: unknown (broker not reachable", status);
        Assert.Contains("*Status*", status); // the rest of the answer is still there
        Assert.DoesNotContain("secret-pw", status);
    }

    /// <summary>The status answer once it holds a reading of the broker (read at start and in the background).</summary>
    private static async Task<string> StatusAsync(BotHost bot)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var text = (await bot.Get<SlashCommandProcessor>().AnswerAsync(new SlashCommandRequest("/ops", "status", "U1", "C1", null, "T1"), default)).Text;
            if (!text.Contains("not read from the broker yet") || DateTime.UtcNow > deadline) return text;
            await Task.Delay(200);
        }
    }
}
