using OpsBot.Contracts;
using StackExchange.Redis;

namespace OpsBot.Notifier.Pipeline;

/// <summary>
/// The pace of one destination (a Slack channel, the Teams webhook) shared by every notifier replica, with the same
/// rule each replica keeps alone (<see cref="ChannelDispatcher"/>): one message in flight at a time, and the next one
/// leaves one interval after the previous one was answered. A replica takes the destination's turn in Redis before its
/// message leaves (<c>SET key token NX PX lease</c>) and, when Slack answered, leaves the key as a pause of one interval;
/// the others wait for the key to go. Measured from the answer, not from the start, so a slow or delayed request never
/// brings two messages closer than an interval at Slack. Two replicas together therefore stay under Slack's one message
/// a second per channel instead of each using it up alone.
/// <para>
/// A replica that dies holding the turn blocks the others for at most the lease (twice <c>NOTIFIER_HTTP_TIMEOUT</c>).
/// With Redis unreachable the turn is skipped: each replica paces itself, which is enough for one; several may then
/// draw 429s, which are waited out with Retry-After and lose nothing. It says so once in the log and counts
/// <c>opsbot_notifier_pace_fallback_total</c>.
/// </para>
/// </summary>
public sealed class SharedChannelPace(IConnectionMultiplexer redis, string key, TimeSpan interval, TimeSpan lease, NotifierMetrics metrics, ILogger logger)
{
    private const string EndTurnScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], 'pause', 'PX', ARGV[2]) end return 0";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly long _intervalMs = Math.Max(1, (long)Math.Ceiling(interval.TotalMilliseconds));
    private int _degraded;

    /// <summary>A turn taken in Redis (null token: not shared, Redis unreachable).</summary>
    public sealed record Turn(string? Token);

    /// <summary><c>{prefix}pace:{slack|teams}:{destination}</c>.</summary>
    public static string KeyOf(string prefix, DeliveryChannel channel, string destination) =>
        $"{prefix}pace:{NotifierMetrics.Label(channel)}:{destination}";

    /// <summary>Waits until no other replica has a message in flight to this destination or answered less than an interval ago, and takes the turn.</summary>
    public async Task<Turn> TakeTurnAsync(CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        while (true)
        {
            if (!redis.IsConnected) return FellBack("not connected");
            TimeSpan? held;
            try
            {
                var db = redis.GetDatabase();
                if (await db.StringSetAsync(key, token, lease, When.NotExists))
                {
                    if (Interlocked.Exchange(ref _degraded, 0) == 1) logger.LogInformation("The pace of {Key} is shared through Redis again", key);
                    return new Turn(token);
                }
                held = await db.KeyTimeToLiveAsync(key);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                return FellBack(e.GetType().Name);
            }
            // Another replica's message is in flight (lease) or was answered less than an interval ago (pause). Redis
            // keeps that time on its own clock, so the wait is real time whatever clock the dispatcher runs on.
            var wait = held is { } ttl && ttl < Poll ? ttl : Poll;
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), cancellationToken);
        }
    }

    /// <summary>The message was answered (or finally failed): the next one, from any replica, leaves one interval from now.</summary>
    public async Task EndTurnAsync(Turn turn)
    {
        if (turn.Token is null || !redis.IsConnected) return;
        try { await redis.GetDatabase().ScriptEvaluateAsync(EndTurnScript, [key], [turn.Token, _intervalMs]); }
        catch (Exception e) when (e is RedisException or TimeoutException) { FellBack(e.GetType().Name); }
    }

    private Turn FellBack(string why)
    {
        metrics.PaceFallback();
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
            logger.LogWarning("The pace of {Key} is not shared: Redis is unreachable ({Why}). Each replica paces itself until it is back; several replicas may draw 429s, which are waited out", key, why);
        return new Turn(null);
    }
}
