using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpsBot.Faults.Tests.Infrastructure;

/// <summary>Queue inspection with RabbitMQ.Client on a short-lived connection.</summary>
public static class Queues
{
    public static async Task<uint> CountAsync(string rabbitUrl, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(rabbitUrl) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    public static async Task<PeekedMessage?> PeekAsync(string rabbitUrl, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(rabbitUrl) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var first = await channel.BasicGetAsync(queue, autoAck: false);
        if (first is null) return null;
        var headers = (first.BasicProperties.Headers ?? new Dictionary<string, object?>()).ToDictionary(
            kv => kv.Key,
            kv => kv.Value switch { byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes), null => "", var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "" });
        var peeked = new PeekedMessage(System.Text.Encoding.UTF8.GetString(first.Body.Span), headers);
        await channel.BasicNackAsync(first.DeliveryTag, multiple: false, requeue: true);
        return peeked;
    }
}
