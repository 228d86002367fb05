using System.Security.Cryptography;
using System.Text;
using OpsBot.Contracts;
using StackExchange.Redis;

namespace OpsBot.Notifier.Pipeline;

/// <summary>What the dedup stage decided for one alert on one channel.</summary>
public enum DedupDecision
{
    /// <summary>First of its key in the window: send it.</summary>
    New,
    /// <summary>This same message (same AlertId and MessageId) claimed the key and has not been delivered: a retry or a broker redelivery; send it.</summary>
    Retry,
    /// <summary>Another alert with the same key was sent or is being sent within the window: suppress.</summary>
    Duplicate,
    /// <summary>This same alert was already delivered (a redelivery after the ack was lost): suppress.</summary>
    AlreadyDelivered,
}

/// <summary>
/// Dedup: an identical alert within <c>ALERT_DEDUP_TTL</c> is not resent. Identical means the same dedup key,
/// or, when an alert has none, the same title and text (the operations guide's rule, by SHA-256). Slack and Teams dedup
/// independently. The claim is one Redis <c>SET key value NX PX ttl GET</c>, so several replicas never
/// double-send and every key expires by itself (bounded by construction). The value names the claiming alert
/// and the bus message carrying it (<c>p:&lt;alert id&gt;:&lt;message id&gt;</c> pending, <c>d:&lt;alert id&gt;</c>
/// delivered), so the claiming message's own retries and broker redeliveries pass, a second publish of the same
/// alert is suppressed like any duplicate, a delivered one is not resent, and a finally failed one gives its claim back.
/// While Redis is unreachable the claim falls back to a bounded in-process cache and says so in logs,
/// the readiness check (degraded) and the <c>opsbot_notifier_dedup_fallback_total</c> metric.
/// </summary>
public sealed class DedupStage(
    IConnectionMultiplexer redis,
    NotifierOptions options,
    LocalDedupCache local,
    NotifierMetrics metrics,
    ILogger<DedupStage> logger)
{
    private const string ReleaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
    private int _degraded; // 1 while decisions are taken in-process

    /// <summary>True while Redis is unreachable and dedup runs in-process (this replica only).</summary>
    public bool Degraded => Volatile.Read(ref _degraded) == 1 || !redis.IsConnected;

    public async Task<DedupDecision> ClaimAsync(string label, AlertRaised alert, Guid? messageId)
    {
        var key = KeyOf(label, alert);
        var pending = Pending(alert, messageId);
        string? held;
        if (redis.IsConnected)
        {
            try
            {
                held = await redis.GetDatabase().StringSetAndGetAsync(key, pending, options.DedupTtl, keepTtl: false, when: When.NotExists);
                Restored();
                return Decide(held, alert, pending);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                FellBack(e.GetType().Name);
            }
        }
        else
        {
            FellBack("not connected");
        }
        metrics.DedupFallback();
        held = local.SetIfAbsent(key, pending, options.DedupTtl);
        return Decide(held, alert, pending);
    }

    /// <summary>Marks the claim delivered, so a redelivery of the same alert is not resent.</summary>
    public async Task MarkDeliveredAsync(string label, AlertRaised alert)
    {
        var key = KeyOf(label, alert);
        var delivered = "d:" + alert.AlertId.ToString("N");
        local.Replace(key, delivered);
        if (!redis.IsConnected) return;
        try { await redis.GetDatabase().StringSetAsync(key, delivered, expiry: null, keepTtl: true, when: When.Exists); }
        catch (Exception e) when (e is RedisException or TimeoutException) { FellBack(e.GetType().Name); }
    }

    /// <summary>Gives the claim back after a final failure, so the next alert of the key is tried.</summary>
    public async Task ReleaseAsync(string label, AlertRaised alert, Guid? messageId)
    {
        var key = KeyOf(label, alert);
        var pending = Pending(alert, messageId);
        local.RemoveIf(key, pending);
        if (!redis.IsConnected) return;
        try { await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [key], [pending]); }
        catch (Exception e) when (e is RedisException or TimeoutException) { FellBack(e.GetType().Name); }
    }

    /// <summary>
    /// <c>{prefix}dedup:{destination label (slack, slack:{channel}, teams)}:{dedup key, or sha256 of title and text when there is none}:{severity}</c>. The severity
    /// is part of the key because an incident's key no longer carries it (<c>pnl-loss:{account}:{strategy}</c>): a critical
    /// that follows a warning of the same key is an escalation, never folded into the warning.
    /// </summary>
    private string KeyOf(string label, AlertRaised alert) =>
        $"{options.KeyPrefix}dedup:{label}:{IdentityOf(alert)}:{alert.Severity.ToString().ToLowerInvariant()}";

    /// <summary>An alert's identity: its dedup key as stored (<see cref="IdentityOf(string)"/>), or, when it has none, <c>sha256:</c> of its title and text.</summary>
    public static string IdentityOf(AlertRaised alert) =>
        string.IsNullOrWhiteSpace(alert.DedupKey) ? Sha256($"text\n{alert.Title}\n{alert.Text}") : IdentityOf(alert.DedupKey);

    /// <summary>A dedup key as dedup and the incidents store it: itself, or <c>sha256:</c> of it when longer than 200 characters.</summary>
    public static string IdentityOf(string dedupKey) => dedupKey.Length <= 200 ? dedupKey : Sha256($"key\n{dedupKey}");

    private static string Sha256(string basis) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(basis)));

    private static string Pending(AlertRaised alert, Guid? messageId) => $"p:{alert.AlertId:N}:{messageId ?? alert.AlertId:N}";

    private static DedupDecision Decide(string? held, AlertRaised alert, string pending)
    {
        if (held is null) return DedupDecision.New;
        if (held == pending) return DedupDecision.Retry;
        if (held == "d:" + alert.AlertId.ToString("N")) return DedupDecision.AlreadyDelivered;
        return DedupDecision.Duplicate;
    }

    private void FellBack(string why)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
            logger.LogWarning("Dedup falls back to the in-process cache: Redis is unreachable ({Why}). Until it is back, replicas may each send an alert once", why);
    }

    private void Restored()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
            logger.LogInformation("Dedup uses Redis again");
    }

    /// <summary>
    /// Drops the claims of <paramref name="dedupKey"/> on every channel (and severity, where the claim key carries it):
    /// its incident was resolved, so firing again within the window opens a new incident at once instead of being suppressed.
    /// </summary>
    public async Task ForgetAsync(string dedupKey)
    {
        var keys = (from label in options.DestinationLabels()
                    from severity in Enum.GetValues<AlertSeverity>()
                    select KeyOf(label, new AlertRaised
                    {
                        CorrelationId = Guid.Empty, Timestamp = default, AlertId = Guid.Empty, Severity = severity,
                        Title = "", Text = "", DedupKey = dedupKey, Source = "",
                    })).Distinct().ToList();
        foreach (var key in keys) local.Forget(key);
        if (!redis.IsConnected) return;
        try { await redis.GetDatabase().KeyDeleteAsync(keys.Select(k => (RedisKey)k).ToArray()); }
        catch (Exception e) when (e is RedisException or TimeoutException) { FellBack(e.GetType().Name); }
    }
}
