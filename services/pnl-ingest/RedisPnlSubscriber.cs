using OpsBot.Contracts;
using OpsBot.ServiceDefaults;
using StackExchange.Redis;

namespace OpsBot.PnlIngest;

/// <summary>
/// Subscribes to the Redis channel <c>PNL_CHANNEL</c>, validates each message and offers the valid
/// ones to the buffer. A malformed message costs one warning line and a counter, never the
/// subscription. While Redis is down it keeps trying; StackExchange.Redis resubscribes after a reconnect.
/// </summary>
public sealed class RedisPnlSubscriber(
    IConnectionMultiplexer redis,
    PnlIngestOptions options,
    PnlMessageParser parser,
    ConflatingPnlBuffer buffer,
    PnlIngestMetrics metrics,
    TimeProvider time,
    ILogger<RedisPnlSubscriber> logger) : BackgroundService
{
    private const int LoggedPayloadChars = 120;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channel = RedisChannel.Literal(options.Channel);
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var queue = await redis.GetSubscriber().SubscribeAsync(channel);
                queue.OnMessage(message => Handle(message.Message));
                logger.LogInformation("Subscribed to Redis channel {Channel}", options.Channel);
                break;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning("Cannot subscribe to Redis channel {Channel} yet ({Error}); retrying in {Delay} s", options.Channel, e.GetType().Name, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
        await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        await redis.GetSubscriber().UnsubscribeAsync(channel);
    }

    /// <summary>Validates one raw message and offers it; returns whether it was accepted.</summary>
    public bool Handle(RedisValue raw)
    {
        using var activity = PnlTracing.StartReceive(options.Channel);
        metrics.Received();
        ReadOnlyMemory<byte> payload = raw.IsNull ? ReadOnlyMemory<byte>.Empty : (byte[])raw!;
        var result = parser.Parse(payload);
        if (!result.IsValid)
        {
            metrics.Rejected(result.Reason);
            activity.Failed(result.Reason.ToLabel());
            logger.LogWarning("Rejected PnL message on {Channel}: {Reason}: {Detail} ({Bytes} bytes, starts {Payload})",
                options.Channel, result.Reason.ToLabel(), result.Detail, payload.Length, Preview(payload));
            return false;
        }

        var report = result.Report!;
        var update = new PnlUpdatedV2
        {
            CorrelationId = report.CorrelationId ?? Guid.NewGuid(),
            Timestamp = time.GetUtcNow(),
            Account = report.Account,
            Strategy = report.Strategy,
            Realized = report.Realized,
            Unrealized = report.Unrealized,
            Currency = report.Currency,
            AsOf = report.AsOf,
            Fees = report.Fees,
        };
        PnlTracing.Accepted(activity, update);
        buffer.Offer(update);
        return true;
    }

    private static string Preview(ReadOnlyMemory<byte> payload)
    {
        var text = System.Text.Encoding.UTF8.GetString(payload.Span[..Math.Min(payload.Length, LoggedPayloadChars * 4)]);
        text = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return text.Length <= LoggedPayloadChars ? text : text[..LoggedPayloadChars] + "…";
    }
}
