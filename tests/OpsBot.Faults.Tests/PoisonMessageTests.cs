using System.Text;
using OpsBot.Testing;
using RabbitMQ.Client;

namespace OpsBot.Faults.Tests;

/// <summary>
/// Poison messages on the real broker — a body that is not JSON, and an envelope whose message has the
/// wrong types — go to risk-evaluator's <c>_error</c> queue, and the consumer goes on with the next one.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class PoisonMessageTests(InfraFixture infra)
{
    [Fact]
    public async Task Bad_json_and_wrong_types_go_to_the_error_queue_without_stopping_the_consumer()
    {
        var rabbit = await infra.CreateVirtualHostAsync();
        await using var risk = ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbit,
            ["ALERT_PNL_THRESHOLD"] = "1000",
        });
        await risk.WaitReadyAsync(TimeSpan.FromSeconds(60));

        var factory = new ConnectionFactory { Uri = new Uri(rabbit) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync("opsbot.alert-raised.v1", ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync("poison-test-alerts", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync("poison-test-alerts", "opsbot.alert-raised.v1", "");

        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true };
        async Task Publish(string body) =>
            await channel.BasicPublishAsync("opsbot.pnl-updated.v1", "", false, properties, Encoding.UTF8.GetBytes(body));

        await Publish("{ this is not json");
        await Publish("""
            {"messageId":"8f2c0000-0000-0000-0000-000000000001","messageType":["urn:message:opsbot.pnl-updated.v1"],
             "message":{"correlationId":"not-a-guid","timestamp":"yesterday","account":42,"strategy":["x"],"realized":{"a":1},"unrealized":"0","currency":"USD","asOf":"2026-11-27T10:00:00Z"}}
            """);
        var good = Guid.NewGuid();
        await Publish($$$"""
            {"messageId":"{{{Guid.NewGuid()}}}","messageType":["urn:message:opsbot.pnl-updated.v1"],
             "message":{"correlationId":"{{{good}}}","timestamp":"{{{DateTimeOffset.UtcNow:O}}}","account":"acct","strategy":"after-poison","realized":"-1500","unrealized":"0","currency":"USD","asOf":"{{{DateTimeOffset.UtcNow:O}}}"}}
            """);

        // The consumer goes on: the good message after the poison raises its alert.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        BasicGetResult? alert = null;
        while (alert is null && DateTime.UtcNow < deadline)
        {
            alert = await channel.BasicGetAsync("poison-test-alerts", autoAck: true);
            if (alert is null) await Task.Delay(100);
        }
        Assert.NotNull(alert);
        Assert.Contains(good.ToString(), Encoding.UTF8.GetString(alert!.Body.Span));

        // Both poison messages wait in the error queue for an operator.
        uint errors = 0;
        while (DateTime.UtcNow < deadline && (errors = await ErrorQueueDepth(connection)) < 2) await Task.Delay(200);
        Assert.Equal(2u, errors);
        Assert.False(risk.HasExited);
    }

    /// <summary>Over the error queues of all PnL partitions (a message without a partition key lands on one of them).</summary>
    private static async Task<uint> ErrorQueueDepth(IConnection connection)
    {
        uint depth = 0;
        for (var i = 0; i < OpsBot.RiskEvaluator.RiskPartitionOptions.DefaultPartitions; i++)
        {
            // A passive declare of a queue that does not exist yet closes the channel: use a fresh one each time.
            await using var probe = await connection.CreateChannelAsync();
            try { depth += (await probe.QueueDeclarePassiveAsync($"{OpsBot.RiskEvaluator.RiskPartitionTopology.PnlQueue(i)}_error")).MessageCount; }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { }
        }
        return depth;
    }
}
