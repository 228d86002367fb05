using StackExchange.Redis;

namespace OpsBot.RiskEvaluator.State;

/// <summary>
/// Redis I/O of the risk state. Each key is a hash: <c>t</c> (fence time, µs), <c>n</c> (updates), <c>s</c> (the
/// state as JSON). Writes go through a Lua script that refuses to replace a newer state (by t, then n), so a replica
/// that lost a key's ownership (or a late background write) cannot overwrite what the new owner wrote. Every call
/// fails at once when the connection is down and never waits longer than the cancellation token allows.
/// </summary>
public sealed class RiskStateStore(IConnectionMultiplexer redis, RiskStateOptions options)
{
    private const string FencedWrite = """
        local cur = redis.call('HMGET', KEYS[1], 't', 'n')
        if cur[1] then
          local st = tonumber(cur[1])
          local sn = tonumber(cur[2]) or 0
          local nt = tonumber(ARGV[1])
          local nn = tonumber(ARGV[2])
          if st > nt or (st == nt and sn > nn) then return 0 end
        end
        redis.call('HSET', KEYS[1], 't', ARGV[1], 'n', ARGV[2], 's', ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return 1
        """;

    private static readonly RedisValue[] Fields = ["t", "n", "s"];
    private readonly string _ttlMs = ((long)options.Ttl.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool IsConnected => redis.IsConnected;

    /// <summary>The stored state of <paramref name="key"/>, or null when there is none (never written, or expired).</summary>
    public async Task<StateRecord?> ReadAsync(string key, RiskStateKind kind, CancellationToken cancellationToken)
    {
        ThrowIfDisconnected();
        var values = await redis.GetDatabase().HashGetAsync(key, Fields).WaitAsync(cancellationToken);
        if (values[2].IsNull) return null;
        return new StateRecord(key, kind, (long)values[0], values[1].IsNull ? 0 : (long)values[1], values[2]!);
    }

    /// <summary>Writes <paramref name="record"/> unless Redis holds a newer state of the key; true when written.</summary>
    public async Task<bool> WriteAsync(StateRecord record, CancellationToken cancellationToken)
    {
        ThrowIfDisconnected();
        var result = await redis.GetDatabase().ScriptEvaluateAsync(FencedWrite, [record.Key],
            [record.Time, record.Updates, record.Json, _ttlMs]).WaitAsync(cancellationToken);
        return (long)result == 1;
    }

    /// <summary>Connects and loads the write script, so the first message does not pay for it (failures are ignored: the calls retry).</summary>
    public async Task WarmUpAsync()
    {
        try
        {
            foreach (var endpoint in redis.GetEndPoints())
            {
                var server = redis.GetServer(endpoint);
                if (server.IsConnected && !server.IsReplica) await server.ScriptLoadAsync(FencedWrite);
            }
            await redis.GetDatabase().PingAsync();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
        }
    }

    private void ThrowIfDisconnected()
    {
        if (!redis.IsConnected) throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected");
    }
}
