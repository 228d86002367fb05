using StackExchange.Redis;

namespace OpsBot.Bot.Guards;

/// <summary>What <see cref="DuplicateGuard"/> could tell.</summary>
public enum Once
{
    /// <summary>Seen for the first time, now recorded.</summary>
    First,
    /// <summary>Already recorded (by this replica or another).</summary>
    Seen,
    /// <summary>Redis did not answer: nobody can tell.</summary>
    Unknown,
}

/// <summary>
/// "Has this happened before?" across every ops-bot replica, in Redis: one atomic <c>SET key 1 NX PX ttl</c>
/// per question, under <c>OPS_REDIS_PREFIX</c>. Used for signatures already seen (replays), Slack deliveries
/// already run (retries, by trigger_id) and kill-switch confirmations already spent. The caller decides what
/// <see cref="Once.Unknown"/> means; a security check refuses.
/// </summary>
public sealed class DuplicateGuard(IConnectionMultiplexer redis, BotOptions options, ILogger<DuplicateGuard> logger)
{
    /// <summary>How long one question may take: the answer gates Slack's 3-second acknowledgement.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    public Task<Once> SignatureAsync(string signature, TimeSpan keep) => FirstAsync("signature:" + signature, keep);

    public Task<Once> DeliveryAsync(string triggerId, TimeSpan keep) => FirstAsync("delivery:" + triggerId, keep);

    public Task<Once> ConfirmationAsync(Guid correlationId, TimeSpan keep) => FirstAsync("confirmation:" + correlationId.ToString("N"), keep);

    private async Task<Once> FirstAsync(string key, TimeSpan keep)
    {
        if (keep < TimeSpan.FromSeconds(1)) keep = TimeSpan.FromSeconds(1);
        try
        {
            if (!redis.IsConnected) throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "not connected");
            return await redis.GetDatabase().StringSetAsync(options.RedisPrefix + key, 1, keep, When.NotExists).WaitAsync(Budget) ? Once.First : Once.Seen;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            logger.LogWarning("Redis cannot say whether {What} was seen before ({Error})", key.Split(':')[0], e.GetType().Name);
            return Once.Unknown;
        }
    }
}
