using System.Collections.Concurrent;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpsBot.Faults.Tests.Infrastructure;

/// <summary>A queued message seen without taking it: its body and AMQP headers (byte[] values decoded as UTF-8).</summary>
public sealed record PeekedMessage(string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// The test's own MassTransit bus on a test's virtual host: publishes as the other services do, records every
/// AlertDelivered and AlertDeliveryFailed, and looks into queues with RabbitMQ.Client without consuming them.
/// </summary>
public sealed class BusProbe : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly string _rabbitUrl;

    private BusProbe(IBusControl bus, string rabbitUrl)
    {
        _bus = bus;
        _rabbitUrl = rabbitUrl;
    }

    public ConcurrentQueue<AlertDelivered> Delivered { get; } = new();
    public ConcurrentQueue<AlertDeliveryFailed> Failed { get; } = new();

    public static async Task<BusProbe> StartAsync(string rabbitUrl)
    {
        var address = RabbitMqAddress.Parse(rabbitUrl);
        BusProbe? self = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
            {
                h.Username(address.Username);
                h.Password(address.Password);
            });
            cfg.ReceiveEndpoint("faults-test-observer", e =>
            {
                e.Handler<AlertDelivered>(ctx => { self!.Delivered.Enqueue(ctx.Message); return Task.CompletedTask; });
                e.Handler<AlertDeliveryFailed>(ctx => { self!.Failed.Enqueue(ctx.Message); return Task.CompletedTask; });
            });
        });
        self = new BusProbe(bus, rabbitUrl);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(cts.Token);
        return self;
    }

    public Task Publish<T>(T message) where T : class => _bus.Publish(message);

    public static AlertRaised Alert(string dedupKey) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        AlertId = Guid.NewGuid(),
        Severity = AlertSeverity.Critical,
        Title = $"PnL loss {dedupKey}",
        Text = "Strategy is down",
        DedupKey = dedupKey,
        Source = "risk-evaluator",
    };

    /// <summary>Messages ready in <paramref name="queue"/>; 0 when the queue does not exist.</summary>
    public Task<uint> CountAsync(string queue) => Queues.CountAsync(_rabbitUrl, queue);

    /// <summary>The first message of <paramref name="queue"/>, put back at once; null when empty.</summary>
    public Task<PeekedMessage?> PeekAsync(string queue) => Queues.PeekAsync(_rabbitUrl, queue);

    public async ValueTask DisposeAsync() => await _bus.StopAsync();

    /// <summary>Waits until <paramref name="condition"/> holds or fails with <paramref name="what"/>.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what, int pollMs = 50)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout.TotalSeconds:F0} s: {what()}");
            await Task.Delay(pollMs);
        }
    }

    public static Task Until(Func<bool> condition, TimeSpan timeout, Func<string> what) =>
        Until(() => Task.FromResult(condition()), timeout, what);
}

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
