using System.Collections.Concurrent;
using System.Text.Json;
using OpsBot.Risk;

namespace OpsBot.RiskEvaluator.State;

/// <summary>One key's state held in memory, and when a message last touched it.</summary>
public sealed class StateEntry<T>(string key, T state) where T : class
{
    private long _lastSeenTicks;
    private long _writtenTicks;

    public string Key { get; } = key;
    public T State { get; internal set; } = state;

    internal long LastSeenTicks => Volatile.Read(ref _lastSeenTicks);
    internal void Touch(DateTimeOffset now) => Volatile.Write(ref _lastSeenTicks, now.UtcTicks);

    /// <summary>When <see cref="State"/> (or one that judges like it) was last handed to Redis; 0: never.</summary>
    internal long WrittenTicks => Volatile.Read(ref _writtenTicks);
    internal void Written(long utcTicks) => Volatile.Write(ref _writtenTicks, utcTicks);
}

/// <summary>
/// The strategies' and symbols' state in memory, read from Redis on a key's first message (through
/// <see cref="RiskStatePersistence"/>) and written through on every commit. Keys idle for
/// <c>RISK_STATE_IDLE_EVICTION</c> leave memory (<see cref="EvictIdle"/>); <see cref="InvalidateAll"/> drops
/// everything for a reload (<see cref="IRiskStateOwnership"/>). Messages of one key must be handled one at a
/// time (the consumers' partitioner); different keys in parallel.
/// </summary>
public sealed class RiskStateCache : IRiskStateOwnership
{
    private readonly ConcurrentDictionary<string, StateEntry<StrategyState>> _strategies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StateEntry<SymbolState>> _symbols = new(StringComparer.Ordinal);
    private readonly RiskStatePersistence _persistence;
    private readonly RiskStateKeys _keys;
    private readonly RiskEvaluatorOptions _options;
    private readonly RiskMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<RiskStateCache> _logger;
    private readonly string _modelConfiguration;

    public RiskStateCache(RiskStatePersistence persistence, RiskEvaluatorOptions options, RiskMetrics metrics, TimeProvider time, ILogger<RiskStateCache> logger)
    {
        _persistence = persistence;
        _keys = new RiskStateKeys(options.State.Prefix);
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _modelConfiguration = options.CreateModel().ToString() ?? "";
        metrics.Observe(Count, () => persistence.DirtyCount);
    }

    public RiskStateKeys Keys => _keys;

    public int Count(RiskStateKind kind) => kind == RiskStateKind.Strategy ? _strategies.Count : _symbols.Count;

    public async ValueTask<StateEntry<StrategyState>> StrategyAsync(string account, string strategy, CancellationToken cancellationToken)
    {
        var key = _keys.Strategy(account, strategy);
        var now = _time.GetUtcNow();
        if (!_strategies.TryGetValue(key, out var entry))
        {
            var record = await _persistence.LoadAsync(key, RiskStateKind.Strategy, cancellationToken);
            var state = StrategyState.Empty;
            if (record is not null)
            {
                try { state = RiskStateCodec.DeserializeStrategy(record.Json); }
                catch (JsonException e) { Unreadable(RiskStateKind.Strategy, key, e.Message); }
            }
            var loaded = new StateEntry<StrategyState>(key, state);
            if (record is not null) loaded.Written(now.UtcTicks); // Redis holds this state already
            entry = _strategies.GetOrAdd(key, loaded);
        }
        entry.Touch(now);
        return entry;
    }

    public async ValueTask<StateEntry<SymbolState>> SymbolAsync(string symbol, CancellationToken cancellationToken)
    {
        var key = _keys.Symbol(symbol);
        var now = _time.GetUtcNow();
        if (!_symbols.TryGetValue(key, out var entry))
        {
            var record = await _persistence.LoadAsync(key, RiskStateKind.Symbol, cancellationToken);
            entry = _symbols.GetOrAdd(key, new StateEntry<SymbolState>(key, record is null ? new SymbolState(_options.CreateModel()) : Restore(key, record.Json)));
        }
        entry.Touch(now);
        return entry;
    }

    /// <summary>
    /// Makes <paramref name="next"/> the strategy's state and writes it through (never throws for Redis). A state that
    /// judges like the one Redis holds (<see cref="StrategyState.JudgesLike"/>: only the last update time and count
    /// moved) is written only once <c>RISK_STATE_REFRESH</c> has passed since the last write: it would change no alert
    /// after a restart, and PnL of a quiet strategy arrives many times a second. A change of level, session, peak or
    /// breach is written before the message is acknowledged, always.
    /// </summary>
    public Task CommitAsync(StateEntry<StrategyState> entry, StrategyState next)
    {
        var previous = entry.State;
        entry.State = next;
        var now = _time.GetUtcNow().UtcTicks;
        if (entry.WrittenTicks != 0 && next.JudgesLike(previous) && now - entry.WrittenTicks < _options.State.Refresh.Ticks)
        {
            _metrics.WriteSkipped(RiskStateKind.Strategy);
            return Task.CompletedTask;
        }
        entry.Written(now);
        return _persistence.SaveAsync(new StateRecord(entry.Key, RiskStateKind.Strategy, StateRecord.Micros(next.LastAsOf), next.Updates, RiskStateCodec.Serialize(next)));
    }

    /// <summary>Writes the symbol's state (already advanced by <see cref="PriceBandEvaluator.Apply"/>) through.</summary>
    public Task CommitAsync(StateEntry<SymbolState> entry)
    {
        var state = entry.State;
        return _persistence.SaveAsync(new StateRecord(entry.Key, RiskStateKind.Symbol, StateRecord.Micros(state.LastExchangeTime), state.Updates, RiskStateCodec.Serialize(state)));
    }

    public void InvalidateAll()
    {
        var strategies = _strategies.Count;
        var symbols = _symbols.Count;
        _strategies.Clear();
        _symbols.Clear();
        _logger.LogInformation("Risk state dropped from memory ({Strategies} strategies, {Symbols} symbols); each key is read again from Redis on its next message", strategies, symbols);
    }

    /// <summary>Drops the keys no message touched for <c>RISK_STATE_IDLE_EVICTION</c>; how many left.</summary>
    public int EvictIdle()
    {
        var cutoff = (_time.GetUtcNow() - _options.State.IdleEviction).UtcTicks;
        var strategies = Evict(_strategies, cutoff);
        var symbols = Evict(_symbols, cutoff);
        _metrics.Evicted(RiskStateKind.Strategy, strategies);
        _metrics.Evicted(RiskStateKind.Symbol, symbols);
        if (strategies + symbols > 0)
            _logger.LogInformation("Evicted {Strategies} strategies and {Symbols} symbols idle for {Idle} from memory (their Redis state stays until it expires)",
                strategies, symbols, _options.State.IdleEviction);
        return strategies + symbols;
    }

    private static int Evict<T>(ConcurrentDictionary<string, StateEntry<T>> entries, long cutoff) where T : class
    {
        var evicted = 0;
        foreach (var pair in entries)
        {
            if (pair.Value.LastSeenTicks < cutoff && entries.TryRemove(pair)) evicted++;
        }
        return evicted;
    }

    private SymbolState Restore(string key, string json)
    {
        SymbolStateDocument document;
        try { document = RiskStateCodec.DeserializeSymbol(json); }
        catch (JsonException e)
        {
            Unreadable(RiskStateKind.Symbol, key, e.Message);
            return new SymbolState(_options.CreateModel());
        }
        IVolatilityModel model;
        try
        {
            model = VolatilityModelFactory.Restore(document.Model);
            if (model.ToString() != _modelConfiguration)
            {
                _metrics.LoadFailure(RiskStateKind.Symbol, "incompatible");
                _logger.LogWarning("Stored volatility model of {Key} is {Stored}, the settings ask for {Configured}: the model starts anew, the price and breach state are kept",
                    key, model.ToString(), _modelConfiguration);
                model = _options.CreateModel();
            }
        }
        catch (InvalidVolatilitySnapshotException e)
        {
            Unreadable(RiskStateKind.Symbol, key, e.Message);
            model = _options.CreateModel();
        }
        var (above, below) = RiskStateCodec.OpenIncidents(document);
        var state = new SymbolState(model)
        {
            Above = above,
            Below = below,
            LastPrice = document.LastPrice,
            BreachAbove = document.BreachAbove,
            LastExchangeTime = document.LastExchangeTime,
            Updates = document.Updates,
        };
        state.PricesAtLastTime.AddRange(document.PricesAtLastTime.TakeLast(SymbolState.MaxPricesAtLastTime));
        return state;
    }

    private void Unreadable(RiskStateKind kind, string key, string error)
    {
        _metrics.LoadFailure(kind, "unreadable");
        _logger.LogWarning("Stored risk state of {Key} is unreadable ({Error}); the key starts from empty state", key, error);
    }
}
