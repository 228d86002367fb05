using System.Collections.Concurrent;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpsBot.Faults.Tests.Infrastructure;

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
