using System.Diagnostics.Metrics;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;
using StackExchange.Redis;

namespace OpsBot.Bot.Incidents;

/// <summary>
/// ops-bot's view of the incidents, in Redis under <c>OPS_REDIS_PREFIX</c>, shared by every replica and kept over
/// restarts. Fed only by bus events (<see cref="IncidentConsumer"/>): <c>AlertRaised</c> opens or updates the incident of
/// its dedup key, <c>AlertAcknowledged</c> sets its owner, <c>AlertDelivered</c> says where its Slack message is (the
/// earliest delivery), <c>AlertResolved</c> closes it. Each change is one Lua script, so it is atomic across replicas,
/// and each is idempotent and safe in any order:
/// <list type="bullet">
/// <item>an alert id is applied once (<c>alert:{id}</c> remembers its incident): a redelivered <c>AlertRaised</c> changes nothing;</item>
/// <item>an <c>AlertRaised</c> no later than the resolution of the key's resolved incident belongs to that incident (it never reopens it);
/// a later one opens a new incident;</item>
/// <item>an acknowledgement or resolution older than the open incident's first alert belongs to an earlier incident and is ignored;
/// the latest acknowledgement is the owner; a second resolution finds nothing open;</item>
/// <item>a delivery seen before its alert is kept on the alert and applied when the alert arrives.</item>
/// </list>
/// Keys (one Redis Cluster slot, <c>{incidents}</c>): <c>key:{dedup key}</c> the key's current incident (a hash; an open one
/// expires <see cref="BotOptions.IncidentOpenTtl"/> after its last event, a resolved one <see cref="BotOptions.IncidentResolvedTtl"/>
/// after its resolution), <c>alert:{alert id}</c> (as long as an open incident), <c>open</c> the open incidents by first seen
/// (a sorted set, at most <see cref="MaxOpen"/>; entries whose incident is gone are dropped when listed).
/// Redis down or slower than <see cref="Budget"/>: every call throws <see cref="IncidentViewUnavailableException"/>.
/// </summary>
public sealed class IncidentView
{
    public const int MaxOpen = 10_000;
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    private readonly IConnectionMultiplexer _redis;
    private readonly BotOptions _options;
    private readonly string _root;
    private readonly Counter<long> _events;

    private readonly Meter _meter = OpsBotMetrics.CreateMeter("Bot");

    public IncidentView(IConnectionMultiplexer redis, BotOptions options)
    {
        _redis = redis;
        _options = options;
        _root = options.RedisPrefix + "{incidents}:";
        _events = _meter.CreateCounter<long>("opsbot.slack.incident_events", description: "Bus events applied to ops-bot's incident view, by event and outcome (duplicate, late, stale, none: nothing changed)");
    }

    private RedisKey KeyOf(string dedupKey) => _root + "key:" + dedupKey;
    private RedisKey AlertOf(Guid alertId) => _root + "alert:" + alertId.ToString("N");
    private RedisKey Open => _root + "open";

    private const string Deliver = """
        local function deliver(h, ch, ts, at)
          local cur = redis.call('HGET', h, 'msgAt')
          if cur and tonumber(cur) <= tonumber(at) then return 'kept' end
          redis.call('HSET', h, 'channel', ch, 'ts', ts, 'msgAt', at)
          redis.call('HDEL', h, 'permalink')
          return 'message'
        end
        """;

    // KEYS: incident hash, alert hash, open set. ARGV: new incident id, dedup key, rank, severity, title, source, at (ms),
    // open ttl (ms), correlation id, alert id, max open.
    private const string RaiseScript = Deliver + """

        if redis.call('HEXISTS', KEYS[2], 'incident') == 1 then return 'duplicate' end
        local at = tonumber(ARGV[7])
        local status = redis.call('HGET', KEYS[1], 'status')
        if status == 'resolved' and at <= tonumber(redis.call('HGET', KEYS[1], 'resolvedAt')) then
          redis.call('HSET', KEYS[2], 'incident', redis.call('HGET', KEYS[1], 'id'))
          redis.call('PEXPIRE', KEYS[2], ARGV[8])
          return 'late'
        end
        local outcome
        if status == 'firing' or status == 'acknowledged' then
          redis.call('HINCRBY', KEYS[1], 'count', 1)
          if tonumber(ARGV[3]) > tonumber(redis.call('HGET', KEYS[1], 'rank')) then
            redis.call('HSET', KEYS[1], 'rank', ARGV[3], 'severity', ARGV[4])
          end
          if at >= tonumber(redis.call('HGET', KEYS[1], 'last')) then
            redis.call('HSET', KEYS[1], 'last', ARGV[7], 'title', ARGV[5], 'source', ARGV[6], 'alertId', ARGV[10])
          end
          if at < tonumber(redis.call('HGET', KEYS[1], 'first')) then
            redis.call('HSET', KEYS[1], 'first', ARGV[7])
            redis.call('ZADD', KEYS[3], ARGV[7], ARGV[2])
          end
          outcome = 'updated'
        else
          redis.call('DEL', KEYS[1])
          redis.call('HSET', KEYS[1], 'id', ARGV[1], 'key', ARGV[2], 'status', 'firing', 'rank', ARGV[3], 'severity', ARGV[4],
            'title', ARGV[5], 'source', ARGV[6], 'first', ARGV[7], 'last', ARGV[7], 'count', 1, 'corr', ARGV[9], 'alertId', ARGV[10])
          redis.call('ZADD', KEYS[3], ARGV[7], ARGV[2])
          local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[11])
          if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1) end
          outcome = 'opened'
        end
        redis.call('HSET', KEYS[2], 'incident', redis.call('HGET', KEYS[1], 'id'))
        redis.call('PEXPIRE', KEYS[2], ARGV[8])
        redis.call('PEXPIRE', KEYS[1], ARGV[8])
        redis.call('PEXPIRE', KEYS[3], ARGV[8])
        local dat = redis.call('HGET', KEYS[2], 'dat')
        if dat then deliver(KEYS[1], redis.call('HGET', KEYS[2], 'dch'), redis.call('HGET', KEYS[2], 'dts'), dat) end
        return outcome
        """;

    // KEYS: incident hash, alert hash. ARGV: channel, ts, at (ms), alert ttl (ms).
    private const string DeliveredScript = Deliver + """

        local prev = redis.call('HGET', KEYS[2], 'dat')
        if (not prev) or tonumber(ARGV[3]) < tonumber(prev) then
          redis.call('HSET', KEYS[2], 'dch', ARGV[1], 'dts', ARGV[2], 'dat', ARGV[3])
        end
        local incident = redis.call('HGET', KEYS[2], 'incident')
        if not incident then
          redis.call('PEXPIRE', KEYS[2], ARGV[4])
          return 'pending'
        end
        if redis.call('HGET', KEYS[1], 'id') ~= incident then return 'other' end
        return deliver(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
        """;

    // KEYS: incident hash, alert hash (of the acknowledged alert, or a key that does not exist). ARGV: by, at (ms).
    private const string AckScript = """
        local status = redis.call('HGET', KEYS[1], 'status')
        if status ~= 'firing' and status ~= 'acknowledged' then return 'none' end
        local of = redis.call('HGET', KEYS[2], 'incident')
        if of then
          if of ~= redis.call('HGET', KEYS[1], 'id') then return 'stale' end
        elseif tonumber(ARGV[2]) < tonumber(redis.call('HGET', KEYS[1], 'first')) then
          return 'stale'
        end
        local prev = redis.call('HGET', KEYS[1], 'ackAt')
        if prev and tonumber(prev) >= tonumber(ARGV[2]) then return 'kept' end
        redis.call('HSET', KEYS[1], 'status', 'acknowledged', 'ackBy', ARGV[1], 'ackAt', ARGV[2])
        return 'acknowledged'
        """;

    // KEYS: incident hash, open set. ARGV: at (ms), reason, resolved by, source, resolved ttl (ms).
    private const string ResolveScript = """
        local status = redis.call('HGET', KEYS[1], 'status')
        if status ~= 'firing' and status ~= 'acknowledged' then return 'none' end
        if tonumber(ARGV[1]) < tonumber(redis.call('HGET', KEYS[1], 'first')) then return 'stale' end
        redis.call('HSET', KEYS[1], 'status', 'resolved', 'resolvedAt', ARGV[1], 'reason', ARGV[2], 'resolvedBy', ARGV[3], 'resolvedSource', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('ZREM', KEYS[2], redis.call('HGET', KEYS[1], 'key'))
        return 'resolved'
        """;

    // KEYS: open set. ARGV: prefix of the incident hashes, how many to return.
    private const string ListScript = """
        local members = redis.call('ZREVRANGE', KEYS[1], 0, -1)
        local shown = {}
        local more = 0
        for _, m in ipairs(members) do
          local h = ARGV[1] .. m
          local status = redis.call('HGET', h, 'status')
          if status == 'firing' or status == 'acknowledged' then
            if #shown < tonumber(ARGV[2]) then shown[#shown + 1] = redis.call('HGETALL', h) else more = more + 1 end
          else
            redis.call('ZREM', KEYS[1], m)
          end
        end
        return {more, shown}
        """;

    // KEYS: incident hash. ARGV: message ts, permalink.
    private const string LinkScript = """
        if redis.call('HGET', KEYS[1], 'ts') == ARGV[1] then redis.call('HSET', KEYS[1], 'permalink', ARGV[2]) return 1 end
        return 0
        """;

    public async Task<string> RaisedAsync(AlertRaised alert)
    {
        var outcome = await RunAsync(RaiseScript, [KeyOf(alert.DedupKey), AlertOf(alert.AlertId), Open],
        [
            Guid.NewGuid().ToString("N"), alert.DedupKey, (int)alert.Severity, alert.Severity.ToString(), alert.Title, alert.Source,
            alert.Timestamp.ToUnixTimeMilliseconds(), Ms(_options.IncidentOpenTtl), alert.CorrelationId.ToString(), alert.AlertId.ToString(), MaxOpen,
        ]);
        return Count("raised", outcome);
    }

    public async Task<string> AcknowledgedAsync(AlertAcknowledged ack)
    {
        var alertKey = ack.AlertId is { } id ? AlertOf(id) : (RedisKey)(_root + "alert:none");
        var outcome = await RunAsync(AckScript, [KeyOf(ack.DedupKey), alertKey], [ack.AcknowledgedBy, ack.Timestamp.ToUnixTimeMilliseconds()]);
        return Count("acknowledged", outcome);
    }

    /// <summary>Only Slack deliveries with a message <c>ts</c> say where an incident's message is; others change nothing.</summary>
    public async Task<string> DeliveredAsync(AlertDelivered delivered)
    {
        if (delivered.Channel != DeliveryChannel.Slack || string.IsNullOrEmpty(delivered.MessageRef) || string.IsNullOrEmpty(delivered.Destination))
            return Count("delivered", "none");
        var outcome = await RunAsync(DeliveredScript, [KeyOf(delivered.DedupKey), AlertOf(delivered.AlertId)],
            [delivered.Destination, delivered.MessageRef, delivered.Timestamp.ToUnixTimeMilliseconds(), Ms(_options.IncidentOpenTtl)]);
        return Count("delivered", outcome);
    }

    public async Task<string> ResolvedAsync(AlertResolved resolved)
    {
        var outcome = await RunAsync(ResolveScript, [KeyOf(resolved.DedupKey), Open],
            [resolved.Timestamp.ToUnixTimeMilliseconds(), resolved.Reason, resolved.ResolvedBy ?? "", resolved.Source, Ms(_options.IncidentResolvedTtl)]);
        return Count("resolved", outcome);
    }

    /// <summary>The open incidents, newest (first seen) first: at most <paramref name="max"/>, and how many more are open.</summary>
    public async Task<OpenIncidents> OpenAsync(int max)
    {
        var result = await CallAsync(db => db.ScriptEvaluateAsync(ListScript, [Open], [_root + "key:", max]));
        var parts = (RedisResult[])result!;
        var shown = ((RedisResult[])parts[1]!).Select(Incident.From).OfType<Incident>().ToList();
        return new OpenIncidents(shown, (int)parts[0]);
    }

    /// <summary>The key's current incident (open, or resolved and still kept), or null.</summary>
    public async Task<Incident?> FindAsync(string dedupKey) =>
        Incident.From(await CallAsync(db => db.HashGetAllAsync(KeyOf(dedupKey))));

    /// <summary>Keeps <paramref name="permalink"/> on the incident, if its message is still <paramref name="messageTs"/>.</summary>
    public Task SetPermalinkAsync(string dedupKey, string messageTs, Uri permalink) =>
        CallAsync(db => db.ScriptEvaluateAsync(LinkScript, [KeyOf(dedupKey)], [messageTs, permalink.AbsoluteUri]));

    private async Task<string> RunAsync(string script, RedisKey[] keys, RedisValue[] values) =>
        (string?)await CallAsync(db => db.ScriptEvaluateAsync(script, keys, values)) ?? "none";

    private async Task<T> CallAsync<T>(Func<IDatabase, Task<T>> call)
    {
        try
        {
            if (!_redis.IsConnected) throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "not connected");
            return await call(_redis.GetDatabase()).WaitAsync(Budget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            throw new IncidentViewUnavailableException("incidents unavailable: Redis unreachable", e);
        }
    }

    private string Count(string @event, string outcome)
    {
        _events.Add(1, new KeyValuePair<string, object?>("event", @event), new KeyValuePair<string, object?>("outcome", outcome));
        return outcome;
    }

    private static long Ms(TimeSpan span) => (long)span.TotalMilliseconds;
}
