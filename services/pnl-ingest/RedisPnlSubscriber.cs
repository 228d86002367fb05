using OpsBot.Contracts;
using OpsBot.ServiceDefaults;
using StackExchange.Redis;

namespace OpsBot.PnlIngest;

/// <summary>
/// Subscribes to the Redis channel <c>PNL_CHANNEL</c>, validates each message and offers the valid
/// ones to the buffer. A malformed message costs one warning line and a counter, never the
/// subscription. While Redis is down it keeps trying to subscribe (the shared <see cref="RetryBackoff"/>, 1 s doubling
/// up to 10 s, one warning per attempt); StackExchange.Redis resubscribes after a reconnect.
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

    /// <summary>Waits between subscribe attempts while Redis is unreachable.</summary>
    private static readonly RetryBackoff SubscribeBackoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channel = RedisChannel.Literal(options.Channel);
        var subscribe = SubscribeBackoff.Pipeline<ChannelMessageQueue>(
            retryWhen: outcome => outcome.Exception is RedisException or TimeoutException,
            onRetry: args =>
            {
                logger.LogWarning("Cannot subscribe to Redis channel {Channel} yet ({Error}); retrying in {Delay} s",
                    options.Channel, args.Outcome.Exception?.GetType().Name, Math.Round(args.RetryDelay.TotalSeconds, 1));
                return ValueTask.CompletedTask;
            });
        try
        {
            var queue = await subscribe.ExecuteAsync(async _ => await redis.GetSubscriber().SubscribeAsync(channel), stoppingToken);
            queue.OnMessage(message => Handle(message.Message));
            logger.LogInformation("Subscribed to Redis channel {Channel}", options.Channel);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
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
