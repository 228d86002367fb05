using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OpsBot.LoadTest;

/// <summary>
/// Watches the bus as a consumer of its own would: a queue bound to the PnlUpdated exchange (the
/// same fanout risk-evaluator's queue gets) and one bound to AlertRaised. Counts alerts, notes when
/// each strategy's updates arrive, and when each loss alert arrives.
/// </summary>
public sealed class BusObserver : IAsyncDisposable
{
    private IConnection? _connection;
    private IChannel? _channel;

    public long AlertsReceived;
    public ConcurrentDictionary<string, (string CorrelationId, long ArrivedTicks)> LastPnlPerStrategy { get; } = new();
    public ConcurrentDictionary<string, long> PnlArrivalTicks { get; } = new();
    public ConcurrentDictionary<string, long> AlertArrivalTicks { get; } = new();
    public bool RecordEveryPnlArrival { get; init; }

    /// <summary>Binds a queue to the PnlUpdated exchange too (latency of every update, the final PnL per strategy).
    /// Without it the broker delivers each update once, to risk-evaluator only, as in production.</summary>
    public bool ObservePnl { get; init; } = true;

    public async Task StartAsync(string rabbitUrl)
    {
        var factory = new ConnectionFactory { Uri = new Uri(rabbitUrl), ClientProvidedName = "opsbot-loadtest-observer" };
        _connection = await factory.CreateConnectionAsync();
        _channel = await _connection.CreateChannelAsync();
        await _channel.BasicQosAsync(0, 1000, false);
        if (ObservePnl) await Bind(_channel, "loadtest-observer-pnl", "opsbot.pnl-updated.v1", OnPnl);
        await Bind(_channel, "loadtest-observer-alerts", "opsbot.alert-raised.v1", OnAlert);
    }

    private static async Task Bind(IChannel channel, string queue, string exchange, Action<JsonElement> handler)
    {
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue, exchange, "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var envelope = JsonDocument.Parse(delivery.Body);
            handler(envelope.RootElement.GetProperty("message"));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
    }

    /// <summary>Forgets everything seen so far (the end of the warm-up).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref AlertsReceived, 0);
        LastPnlPerStrategy.Clear();
        PnlArrivalTicks.Clear();
        AlertArrivalTicks.Clear();
    }

    private void OnPnl(JsonElement message)
    {
        var now = Stopwatch.GetTimestamp();
        var correlationId = message.GetProperty("correlationId").GetString()!;
        LastPnlPerStrategy[message.GetProperty("strategy").GetString()!] = (correlationId, now);
        if (RecordEveryPnlArrival) PnlArrivalTicks[correlationId] = now;
    }

    private void OnAlert(JsonElement message)
    {
        Interlocked.Increment(ref AlertsReceived);
        AlertArrivalTicks[message.GetProperty("correlationId").GetString()!] = Stopwatch.GetTimestamp();
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null) await _channel.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
