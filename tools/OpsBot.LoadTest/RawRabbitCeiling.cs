using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OpsBot.LoadTest;

/// <summary>
/// The ceiling: plain RabbitMQ.Client, one publisher with confirms and one consumer in this process,
/// persistent messages of the same size as ours, through a fanout exchange into a durable queue.
/// </summary>
public static class RawRabbitCeiling
{
    public static async Task<double> MeasureAsync(string rabbitUrl, int messageBytes, TimeSpan duration)
    {
        var factory = new ConnectionFactory { Uri = new Uri(rabbitUrl), ClientProvidedName = "opsbot-loadtest-ceiling" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await using var consuming = await connection.CreateChannelAsync();
        const string exchange = "loadtest-ceiling";
        const string queue = "loadtest-ceiling";
        await publisher.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
        await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await publisher.QueueBindAsync(queue, exchange, "");
        await publisher.QueuePurgeAsync(queue);

        long consumed = 0;
        await consuming.BasicQosAsync(0, 256, false);
        var consumer = new AsyncEventingBasicConsumer(consuming);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            Interlocked.Increment(ref consumed);
            await consuming.BasicAckAsync(delivery.DeliveryTag, false);
        };
        await consuming.BasicConsumeAsync(queue, autoAck: false, consumer);

        var body = new byte[messageBytes];
        Array.Fill(body, (byte)'x');
        var properties = new BasicProperties { Persistent = true, ContentType = "application/vnd.masstransit+json" };
        var clock = Stopwatch.StartNew();
        var inFlight = new List<ValueTask>(256);
        long published = 0;
        while (clock.Elapsed < duration)
        {
            for (var i = 0; i < 256; i++) inFlight.Add(publisher.BasicPublishAsync(exchange, "", false, properties, body));
            foreach (var confirm in inFlight) await confirm;
            published += inFlight.Count;
            inFlight.Clear();
        }
        while (clock.Elapsed < duration + TimeSpan.FromSeconds(30) && Interlocked.Read(ref consumed) < published) await Task.Delay(5);
        // Published, confirmed and consumed, per second of the whole run.
        var rate = Interlocked.Read(ref consumed) / clock.Elapsed.TotalSeconds;
        await publisher.QueueDeleteAsync(queue);
        await publisher.ExchangeDeleteAsync(exchange);
        return rate;
    }
}
