using System.Collections.Concurrent;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;
using RabbitMQ.Client;

namespace OpsBot.Notifier.Tests.Infrastructure;

/// <summary>
/// The test's own MassTransit bus on the test's virtual host: publishes alerts and silences the way the
/// other services do, and records every AlertDelivered and AlertDeliveryFailed the notifier publishes.
/// </summary>
public sealed class TestBus : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly string _rabbitUrl;

    private TestBus(IBusControl bus, string rabbitUrl)
    {
        _bus = bus;
        _rabbitUrl = rabbitUrl;
    }

    public ConcurrentQueue<AlertDelivered> Delivered { get; } = new();
    public ConcurrentQueue<AlertDeliveryFailed> Failed { get; } = new();

    public static async Task<TestBus> StartAsync(string rabbitUrl)
    {
        var address = RabbitMqAddress.Parse(rabbitUrl);
        TestBus? self = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
            {
                h.Username(address.Username);
                h.Password(address.Password);
            });
            cfg.ReceiveEndpoint("test-observer", e =>
            {
                e.Handler<AlertDelivered>(ctx => { self!.Delivered.Enqueue(ctx.Message); return Task.CompletedTask; });
                e.Handler<AlertDeliveryFailed>(ctx => { self!.Failed.Enqueue(ctx.Message); return Task.CompletedTask; });
            });
        });
        self = new TestBus(bus, rabbitUrl);
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        return self;
    }

    public Task Publish<T>(T message) where T : class => _bus.Publish(message);

    public static AlertRaised Alert(string dedupKey, string? title = null, string text = "Strategy is down", AlertSeverity severity = AlertSeverity.Critical) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        AlertId = Guid.NewGuid(),
        Severity = severity,
        Title = title ?? $"PnL loss {dedupKey}",
        Text = text,
        DedupKey = dedupKey,
        Source = "risk-evaluator",
        Labels = new Dictionary<string, string> { ["strategy"] = "momentum", ["pnl"] = "-1,250.50" },
    };

    /// <summary>Waits until <paramref name="condition"/> holds or fails with <paramref name="what"/>.</summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout.TotalSeconds:F0} s: {what()}");
            await Task.Delay(50);
        }
    }

    /// <summary>The messages waiting in a queue (e.g. <c>notifier-slack_error</c>), read with RabbitMQ.Client without taking them.</summary>
    public async Task<(uint Count, string? FirstBody, IDictionary<string, object?>? FirstHeaders)> PeekQueueAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_rabbitUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        QueueDeclareOk declared;
        try { declared = await channel.QueueDeclarePassiveAsync(queue); }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return (0, null, null); // MassTransit declares an _error queue when it first moves a message there
        }
        var first = await channel.BasicGetAsync(queue, autoAck: false);
        string? body = null;
        IDictionary<string, object?>? headers = null;
        if (first is not null)
        {
            body = System.Text.Encoding.UTF8.GetString(first.Body.Span);
            headers = first.BasicProperties.Headers;
            await channel.BasicNackAsync(first.DeliveryTag, multiple: false, requeue: true);
        }
        return (declared.MessageCount, body, headers);
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
