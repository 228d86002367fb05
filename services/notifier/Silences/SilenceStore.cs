using System.Collections.Concurrent;
using System.Text.Json;
using StackExchange.Redis;

namespace OpsBot.Notifier.Silences;

/// <summary>An operator's silence: alerts whose dedup key matches <see cref="Matcher"/> (a key or a glob) are not sent until <see cref="Until"/>.</summary>
public sealed record Silence(Guid SilenceId, string Matcher, DateTimeOffset Until, string RequestedBy, string? Reason);

/// <summary>
/// Silences, kept in Redis (hash <c>{prefix}silences</c> by matcher) so they survive a notifier restart and every
/// replica sees them. (Acknowledgements no longer mute: the hash <c>{prefix}acks</c> of older versions is deleted on the first read.)
/// Each replica reads them into a snapshot at most once a second (the alert path never waits on more
/// than that); expired entries are pruned when read. While Redis is unreachable the last snapshot holds.
/// A stored matcher that <see cref="GlobMatcher.Validate"/> refuses (written by an older version or by hand) is
/// left out of the snapshot — it silences nothing — with one warning per matcher and
/// <c>opsbot_notifier_silences_refused_total</c>; matching itself cannot fail a delivery.
/// </summary>
public sealed class SilenceStore(IConnectionMultiplexer redis, NotifierOptions options, NotifierMetrics metrics, TimeProvider time, ILogger<SilenceStore> logger)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Snapshot _snapshot = Snapshot.Empty;
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;
    private volatile bool _tried; // a first load was attempted (done, or failed with Redis down)
    private bool _warned;
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.Ordinal);

    private RedisKey SilencesKey => options.KeyPrefix + "silences";
    /// <summary>Older versions kept acknowledgements (a one-hour mute) here; nothing reads it any more.</summary>
    private RedisKey LegacyAcksKey => options.KeyPrefix + "acks";
    private bool _legacyDropped;

    public async Task AddAsync(Silence silence)
    {
        await redis.GetDatabase().HashSetAsync(SilencesKey, silence.Matcher, JsonSerializer.Serialize(silence, Json));
        await ReloadAsync(force: true);
    }

    /// <summary>Lifts the silence with this matcher; false when there was none.</summary>
    public async Task<bool> RemoveAsync(string matcher)
    {
        var removed = await redis.GetDatabase().HashDeleteAsync(SilencesKey, matcher);
        await ReloadAsync(force: true);
        return removed;
    }

    /// <summary>The silences in force, at most <see cref="RefreshInterval"/> old.</summary>
    public async ValueTask<Snapshot> CurrentAsync()
    {
        // Before the first load every caller waits for it (a restart must not forget silences even for a moment);
        // afterwards one caller refreshes and the others use the snapshot they have.
        if (!_tried || time.GetUtcNow() - _loadedAt >= RefreshInterval) await ReloadAsync(force: false, wait: !_tried);
        return _snapshot;
    }

    private Task ReloadAsync(bool force) => ReloadAsync(force, wait: true);

    private async Task ReloadAsync(bool force, bool wait)
    {
        if (wait) await _reload.WaitAsync();
        else if (!_reload.Wait(0)) return; // someone else is reloading: use the current snapshot
        try
        {
            var now = time.GetUtcNow();
            if (!force && _tried && now - _loadedAt < RefreshInterval) return;
            _loadedAt = now;
            if (!redis.IsConnected) { Warn("not connected"); return; }
            var db = redis.GetDatabase();
            var silences = new List<Silence>();
            foreach (var entry in await db.HashGetAllAsync(SilencesKey))
            {
                var silence = Parse<Silence>(entry.Value);
                if (silence is null || silence.Until <= now) { await db.HashDeleteAsync(SilencesKey, entry.Name); continue; }
                if (GlobMatcher.Validate(silence.Matcher) is { } problem) { Refuse(silence, problem); continue; }
                silences.Add(silence);
            }
            if (!_legacyDropped) { await db.KeyDeleteAsync(LegacyAcksKey); _legacyDropped = true; }
            _snapshot = new Snapshot(silences);
            _warned = false;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Warn(e.GetType().Name);
        }
        finally
        {
            _tried = true;
            _reload.Release();
        }
    }

    /// <summary>A stored matcher that is not valid: it silences nothing; said once per matcher and counted.</summary>
    private void Refuse(Silence silence, string problem)
    {
        if (!_refused.TryAdd(silence.Matcher, true)) return;
        metrics.SilenceRefused();
        logger.LogWarning("Ignoring the stored silence {Matcher} by {RequestedBy}: {Problem}; it silences nothing (lift it with /ops unsilence)",
            Shorten(silence.Matcher), silence.RequestedBy, problem);
    }

    /// <summary>At most 80 characters of a matcher for a log line.</summary>
    public static string Shorten(string matcher) => matcher.Length <= 80 ? matcher : matcher[..80] + "…";

    private void Warn(string why)
    {
        if (_warned) return;
        _warned = true;
        logger.LogWarning("Silences cannot be read from Redis ({Why}); the last ones read stay in force", why);
    }

    private T? Parse<T>(RedisValue value) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(value.ToString(), Json); }
        catch (JsonException) { logger.LogWarning("Ignoring a malformed {Type} in Redis", typeof(T).Name); return null; }
    }

    /// <summary>What is in force at one moment.</summary>
    public sealed class Snapshot(IReadOnlyList<Silence> silences)
    {
        public static readonly Snapshot Empty = new([]);

        public Silence? SilenceFor(string dedupKey, DateTimeOffset now) =>
            silences.FirstOrDefault(s => s.Until > now && GlobMatcher.IsMatch(s.Matcher, dedupKey));
    }
}
