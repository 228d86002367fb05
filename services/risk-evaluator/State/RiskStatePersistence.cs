using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace OpsBot.RiskEvaluator.State;

/// <summary>
/// Loads and writes the risk state without ever blocking a consumer on a sick Redis:
/// <list type="bullet">
/// <item>Reads and writes on the consumer's path go through one Polly pipeline — a timeout
/// (<c>RISK_REDIS_TIMEOUT_MS</c>) inside a circuit breaker — and fail at once while the connection is down or the
/// breaker is open.</item>
/// <item>A write that fails marks the key dirty (its latest state only); <see cref="DirtyStateWriter"/> writes the
/// dirty keys with backoff when Redis returns. The fence in <see cref="RiskStateStore"/> makes the order of those
/// writes harmless.</item>
/// <item>A read takes the newer of Redis' state and this process's pending (dirty) one, so a key evicted or
/// invalidated while its write waits comes back with its latest state.</item>
/// </list>
/// An outage is logged once when it starts and once when it ends; every failure is counted.
/// </summary>
public sealed class RiskStatePersistence
{
    private readonly RiskStateStore _store;
    private readonly RiskMetrics _metrics;
    private readonly ILogger<RiskStatePersistence> _logger;
    private readonly TimeSpan _timeout;
    private readonly ResiliencePipeline _inline;
    private readonly ResiliencePipeline _load;
    private readonly ConcurrentDictionary<string, StateRecord> _dirty = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private int _outage;

    public RiskStatePersistence(RiskStateStore store, RiskStateOptions options, RiskMetrics metrics, ILogger<RiskStatePersistence> logger)
    {
        _store = store;
        _metrics = metrics;
        _logger = logger;
        _timeout = options.RedisTimeout;
        _inline = Pipeline(options.RedisTimeout);
        _load = Pipeline(LoadTimeout(options.RedisTimeout));
    }

    /// <summary>
    /// A key's first read waits longer than a write (once per key): 4 × the write timeout, at least 5 s. A read that
    /// gives up starts the key from empty state (no model, no peak, no open incident), which silently changes alerts;
    /// a partition handover reads hundreds of keys at once, and on a busy machine a healthy Redis can take over a
    /// second to answer them all. A Redis that is down fails at once (disconnected, or the breaker open), not after this.
    /// </summary>
    public static TimeSpan LoadTimeout(TimeSpan writeTimeout) => TimeSpan.FromTicks(Math.Max(writeTimeout.Ticks * 4, 5 * TimeSpan.TicksPerSecond));

    private static ResiliencePipeline Pipeline(TimeSpan timeout) => new ResiliencePipelineBuilder()
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 4,
            SamplingDuration = TimeSpan.FromSeconds(5),
            BreakDuration = TimeSpan.FromSeconds(2),
            ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutRejectedException>().Handle<TimeoutException>(),
        })
        .AddTimeout(timeout)
        .Build();

    /// <summary>Keys whose latest state waits to be written.</summary>
    public int DirtyCount => _dirty.Count;

    /// <summary>The newest known state of <paramref name="key"/>: Redis' or this process's pending write; null for none.</summary>
    public async Task<StateRecord?> LoadAsync(string key, RiskStateKind kind, CancellationToken cancellationToken)
    {
        _dirty.TryGetValue(key, out var pending);
        StateRecord? stored = null;
        try
        {
            stored = await _load.ExecuteAsync(static async (s, t) => await s.Store.ReadAsync(s.Key, s.Kind, t), (Store: _store, Key: key, Kind: kind), cancellationToken);
            Healthy();
        }
        catch (Exception e) when (IsRedisFailure(e, cancellationToken))
        {
            _metrics.LoadFailure(kind, "unavailable");
            Outage(e, pending is null ? "starting from empty state" : "using this process's pending state");
        }
        if (pending is null) return stored;
        if (stored is null) return pending;
        return pending.IsNewerThan(stored) ? pending : stored;
    }

    /// <summary>
    /// Writes <paramref name="record"/> through to Redis, waiting at most the timeout; when Redis is down, slow or
    /// the breaker is open the key is marked dirty instead (never throws for a Redis failure).
    /// </summary>
    public async Task SaveAsync(StateRecord record)
    {
        try
        {
            var written = await _inline.ExecuteAsync(static async (s, t) => await s.Store.WriteAsync(s.Record, t), (Store: _store, Record: record), CancellationToken.None);
            if (!written) Fenced(record);
            ClearDirtyUpTo(record);
            Healthy();
        }
        catch (Exception e) when (IsRedisFailure(e, CancellationToken.None))
        {
            MarkDirty(record);
            _metrics.WriteFailure(record.Kind);
            Outage(e, "judging from memory; the latest state of each key is written when it returns");
        }
    }

    /// <summary>Waits until a key turns dirty or <paramref name="poll"/> passes.</summary>
    public Task WaitForDirtyAsync(TimeSpan poll, CancellationToken cancellationToken) => _wake.WaitAsync(poll, cancellationToken);

    /// <summary>Writes every dirty key's latest state; the number of keys still dirty (0 when all were written).</summary>
    public async Task<int> FlushDirtyAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var (key, record) in _dirty)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(_timeout * 4);
            try
            {
                if (!await _store.WriteAsync(record, cts.Token)) Fenced(record);
            }
            catch (Exception e) when (IsRedisFailure(e, cancellationToken))
            {
                _metrics.WriteFailure(record.Kind);
                break;
            }
            _dirty.TryRemove(KeyValuePair.Create(key, record)); // unless a newer state of the key turned dirty meanwhile
            written++;
        }
        var remaining = _dirty.Count;
        if (written > 0 && remaining == 0)
        {
            _logger.LogInformation("Redis is back: wrote the latest risk state of {Keys} keys that waited", written);
            Healthy();
        }
        return remaining;
    }

    private void MarkDirty(StateRecord record)
    {
        _dirty.AddOrUpdate(record.Key, record, (_, old) => old.IsNewerThan(record) ? old : record);
        if (_wake.CurrentCount == 0)
        {
            try { _wake.Release(); }
            catch (SemaphoreFullException) { } // another commit woke the writer first
        }
    }

    private void ClearDirtyUpTo(StateRecord written)
    {
        if (_dirty.TryGetValue(written.Key, out var pending) && !pending.IsNewerThan(written))
            _dirty.TryRemove(KeyValuePair.Create(written.Key, pending));
    }

    private void Fenced(StateRecord record)
    {
        _metrics.Fenced(record.Kind);
        _logger.LogInformation("Redis holds a newer risk state of {Key}; this process's older state was not written (another replica owns the key now)", record.Key);
    }

    private void Outage(Exception e, string consequence)
    {
        if (Interlocked.Exchange(ref _outage, 1) == 0)
            _logger.LogWarning("Redis is unavailable for the risk state ({Error}): {Consequence}. Logged once per outage; see opsbot_risk_state_*_failures_total",
                e.GetType().Name, consequence);
    }

    private void Healthy() => Volatile.Write(ref _outage, 0);

    private static bool IsRedisFailure(Exception e, CancellationToken cancellationToken) =>
        e is RedisException or TimeoutException or ExecutionRejectedException ||
        (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}
