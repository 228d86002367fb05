using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace OpsBot.Notifier.Incidents;

/// <summary>
/// The incidents in Redis: one JSON value per dedup key, <c>{prefix}incident:{key}</c>, changed only by
/// compare-and-set (a MULTI/EXEC transaction conditioned on the value read), so two replicas racing on one incident
/// never both win: the loser reads again and decides again. Open incidents that have reminder or escalation work
/// ahead are in the sorted set <c>{prefix}incidents:due</c>, scored by when it is due. Bounded: every incident key
/// expires (<see cref="IncidentPolicy.OpenTtl"/> after its last change while open, <see cref="IncidentPolicy.Retention"/>
/// once resolved), and so does the index (its members whose incident expired are dropped when read).
/// Redis errors (<see cref="RedisException"/>, <see cref="TimeoutException"/>) reach the caller: <see cref="IncidentLifecycle"/> degrades.
/// </summary>
public sealed class IncidentStore(IConnectionMultiplexer redis, NotifierOptions options, IncidentPolicy policy)
{
    private const int MaxRaces = 20;
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public bool Connected => redis.IsConnected;

    private RedisKey DueIndex => options.KeyPrefix + "incidents:due";

    private RedisKey KeyOf(string identity) => options.KeyPrefix + "incident:" + identity;

    public async Task<Incident?> GetAsync(string identity) =>
        Parse(await redis.GetDatabase().StringGetAsync(KeyOf(identity)));

    /// <summary>
    /// Reads the incident, applies <paramref name="change"/> (null: no change) and writes it back if nobody changed it
    /// in between; otherwise reads and applies again. Returns the incident as read and as written (or as read when unchanged).
    /// </summary>
    public async Task<(Incident? Before, Incident? After, bool Changed)> UpdateAsync(string identity, Func<Incident?, Incident?> change)
    {
        var db = redis.GetDatabase();
        var key = KeyOf(identity);
        for (var race = 0; race < MaxRaces; race++)
        {
            var raw = await db.StringGetAsync(key);
            var before = Parse(raw);
            var after = change(before);
            if (after is null) return (before, before, false);

            var tran = db.CreateTransaction();
            tran.AddCondition(raw.IsNull ? Condition.KeyNotExists(key) : Condition.StringEqual(key, raw));
            _ = tran.StringSetAsync(key, JsonSerializer.Serialize(after, Json), policy.TtlOf(after));
            if (IncidentRules.NextDue(after, policy) is { } due) _ = tran.SortedSetAddAsync(DueIndex, identity, due.ToUnixTimeMilliseconds());
            else _ = tran.SortedSetRemoveAsync(DueIndex, identity);
            _ = tran.KeyExpireAsync(DueIndex, policy.OpenTtl);
            if (await tran.ExecuteAsync()) return (before, after, true);
        }
        throw new RedisException($"incident {identity} changed under us {MaxRaces} times in a row");
    }

    /// <summary>Identities whose reminder or escalation is due at <paramref name="now"/> (at most <paramref name="take"/>).</summary>
    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now, int take = 100)
    {
        var members = await redis.GetDatabase().SortedSetRangeByScoreAsync(DueIndex, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: take);
        return members.Select(m => m.ToString()).ToList();
    }

    /// <summary>Drops an index member whose incident expired or has nothing due any more.</summary>
    public Task ForgetDueAsync(string identity) => redis.GetDatabase().SortedSetRemoveAsync(DueIndex, identity);

    private static Incident? Parse(RedisValue raw)
    {
        if (raw.IsNull) return null;
        try { return JsonSerializer.Deserialize<Incident>(raw.ToString(), Json); }
        catch (JsonException) { return null; } // unreadable (written by hand): treated as none, the next write replaces it
    }
}
