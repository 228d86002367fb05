using System.Collections.Concurrent;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;

namespace OpsBot.OpsBot.Tests.Fakes;

/// <summary>
/// The rest of the platform as far as the ops-bot's tests need it, on a real RabbitMQ virtual host: a queue
/// receiving everything the bot publishes (<c>CommandAudited</c>, <c>SilenceRequested</c>, <c>AlertAcknowledged</c>, <c>AlertResolved</c>, …) and, when it
/// plays a trading system, a queue bound to <c>KillSwitchRequested</c> (without it nothing is bound there and
/// a kill-switch request is unroutable). It also publishes the events the bot caches (<c>PnlUpdated</c>,
/// <c>KillSwitchChanged</c>, …).
/// </summary>
public sealed class BrokerListener : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentQueue<object> _received;

    private BrokerListener(IBusControl bus, ConcurrentQueue<object> received)
    {
        _bus = bus;
        _received = received;
    }

    public static async Task<BrokerListener> StartAsync(string rabbitMqUrl, bool tradingSystem = true)
    {
        var broker = RabbitMqAddress.Parse(rabbitMqUrl);
        var received = new ConcurrentQueue<object>();
        var id = Guid.NewGuid().ToString("N")[..12];
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker.Host, broker.Port, broker.VirtualHost, h =>
            {
                h.Username(broker.Username);
                h.Password(broker.Password);
            });
            cfg.ReceiveEndpoint($"test-listener-{id}", e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<CommandAudited>(c => Add(received, c.Message));
                e.Handler<SilenceRequested>(c => Add(received, c.Message));
                e.Handler<UnsilenceRequested>(c => Add(received, c.Message));
                e.Handler<AlertAcknowledged>(c => Add(received, c.Message));
                e.Handler<AlertResolved>(c => Add(received, c.Message));
            });
            if (tradingSystem)
            {
                cfg.ReceiveEndpoint($"test-trading-system-{id}", e =>
                {
                    e.AutoDelete = true;
                    e.Durable = false;
                    e.Handler<KillSwitchRequested>(c => Add(received, c.Message));
                });
            }
        });
        using var start = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.StartAsync(start.Token);
        return new BrokerListener(bus, received);
    }

    private static Task Add(ConcurrentQueue<object> received, object message)
    {
        received.Enqueue(message);
        return Task.CompletedTask;
    }

    /// <summary>What arrived so far (no waiting).</summary>
    public IReadOnlyList<T> Received<T>() where T : class => _received.OfType<T>().ToList();

    /// <summary>Waits (generously) until a matching message arrived.</summary>
    public async Task<T> WaitAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (Received<T>().FirstOrDefault(m => match?.Invoke(m) ?? true) is { } found) return found;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no matching {typeof(T).Name} arrived; got {Received<T>().Count} other(s)");
    }

    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await _bus.StopAsync(stop.Token); } catch (OperationCanceledException) { }
    }
}
