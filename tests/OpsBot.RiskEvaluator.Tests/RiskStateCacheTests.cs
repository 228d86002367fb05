using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsBot.Contracts;
using OpsBot.RiskEvaluator;
using OpsBot.RiskEvaluator.State;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>The state cache and its Redis store on a real Redis (a key prefix of their own), with a fake clock.</summary>
[Collection(InfraFixture.Collection)]
public sealed class RiskStateCacheTests(InfraFixture infra) : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly RiskMetrics _metrics = new();

    private (RiskStateCache Cache, RiskStateStore Store, RiskEvaluatorOptions Options) Create(string? prefix = null, string? refresh = null)
    {
        var options = RiskEvaluatorOptions.From(new Settings(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RISK_REDIS_PREFIX"] = prefix ?? $"opsbot:risk-test:{Guid.NewGuid():N}:",
            ["RISK_STATE_IDLE_EVICTION"] = "600",
            ["RISK_STATE_REFRESH"] = refresh,
            ["VOLATILITY_METHOD"] = "ewma",
        }).Build()));
        var store = new RiskStateStore(infra.Redis, options.State);
        var persistence = new RiskStatePersistence(store, options.State, _metrics, NullLogger<RiskStatePersistence>.Instance);
        return (new RiskStateCache(persistence, options, _metrics, _clock, NullLogger<RiskStateCache>.Instance), store, options);
    }

    private static PnlUpdated Pnl(string strategy, decimal total, DateTimeOffset asOf) => RiskProbe.Pnl(strategy, total, asOf);

    [Fact]
    public async Task Keys_unseen_for_the_idle_time_leave_memory_and_come_back_from_redis()
    {
        var (cache, _, _) = Create();
        var evaluator = new StrategyEvaluator(new PnlLossRule(1000m), 0m);
        var busy = await cache.StrategyAsync("acct", "busy", default);
        var idle = await cache.StrategyAsync("acct", "idle", default);
        await cache.CommitAsync(idle, evaluator.Evaluate(idle.State, Pnl("idle", -1500, _clock.GetUtcNow())).Next);
        await cache.SymbolAsync("IDLE-USD", default);
        Assert.Equal(2, cache.Count(RiskStateKind.Strategy));
        Assert.Equal(1, cache.Count(RiskStateKind.Symbol));

        _clock.Advance(TimeSpan.FromMinutes(6));
        await cache.StrategyAsync("acct", "busy", default);   // seen again: stays
        _clock.Advance(TimeSpan.FromMinutes(5));               // idle and IDLE-USD unseen for 11 min > 10
        Assert.Equal(2, cache.EvictIdle());
        Assert.Equal(1, cache.Count(RiskStateKind.Strategy));
        Assert.Equal(0, cache.Count(RiskStateKind.Symbol));
        Assert.Same(busy, await cache.StrategyAsync("acct", "busy", default));

        var back = await cache.StrategyAsync("acct", "idle", default); // read from Redis again
        Assert.NotSame(idle, back);
        Assert.Equal(idle.State, back.State);
        Assert.Equal(AlertSeverity.Warning, back.State.LossLevel);
    }

    [Fact]
    public void The_evictor_runs_often_enough_for_the_idle_time()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), RiskStateEvictor.PeriodFor(TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromSeconds(15), RiskStateEvictor.PeriodFor(TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromSeconds(1), RiskStateEvictor.PeriodFor(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task InvalidateAll_makes_the_next_message_read_the_newer_state_another_replica_wrote()
    {
        var prefix = $"opsbot:risk-test:{Guid.NewGuid():N}:";
        var (mine, _, _) = Create(prefix);
        var (theirs, _, _) = Create(prefix);
        var evaluator = new StrategyEvaluator(new PnlLossRule(1000m), 0m);
        var t = _clock.GetUtcNow();
        var entry = await mine.StrategyAsync("acct", "moved", default);
        await mine.CommitAsync(entry, evaluator.Evaluate(entry.State, Pnl("moved", -1500, t)).Next);

        // The key's ownership moved: the other replica judged a newer update.
        var other = await theirs.StrategyAsync("acct", "moved", default);
        await theirs.CommitAsync(other, evaluator.Evaluate(other.State, Pnl("moved", -2500, t.AddSeconds(1))).Next);

        Assert.Equal(AlertSeverity.Warning, (await mine.StrategyAsync("acct", "moved", default)).State.LossLevel); // stale memory
        ((IRiskStateOwnership)mine).InvalidateAll();
        Assert.Equal(AlertSeverity.Critical, (await mine.StrategyAsync("acct", "moved", default)).State.LossLevel);
    }

    [Fact]
    public async Task A_write_never_replaces_a_newer_stored_state()
    {
        var (cache, store, _) = Create();
        var key = cache.Keys.Strategy("acct", "fenced");
        Assert.True(await store.WriteAsync(new StateRecord(key, RiskStateKind.Strategy, 2_000, 5, "\"new\""), default));
        Assert.False(await store.WriteAsync(new StateRecord(key, RiskStateKind.Strategy, 1_000, 9, "\"older time\""), default));
        Assert.False(await store.WriteAsync(new StateRecord(key, RiskStateKind.Strategy, 2_000, 4, "\"same time, fewer updates\""), default));
        Assert.True(await store.WriteAsync(new StateRecord(key, RiskStateKind.Strategy, 2_000, 5, "\"same state again\""), default)); // a redelivery rewrites
        Assert.Equal("\"same state again\"", (await store.ReadAsync(key, RiskStateKind.Strategy, default))!.Json);
        var ttl = await infra.Redis.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7)); // RISK_STATE_TTL default
    }

    [Fact]
    public async Task An_unchanged_judgement_is_written_again_only_after_the_refresh_time_a_change_at_once()
    {
        var (cache, _, _) = Create(); // RISK_STATE_REFRESH default: 30 s
        var evaluator = new StrategyEvaluator(new PnlLossRule(1000m), 500m);
        var t = _clock.GetUtcNow();
        var entry = await cache.StrategyAsync("acct", "quiet", default);
        async Task<long?> Commit(decimal total, int second)
        {
            await cache.CommitAsync(entry, evaluator.Evaluate(entry.State, Pnl("quiet", total, t.AddSeconds(second))).Next);
            return (await RiskProbe.StoredAsync(infra.Redis, entry.Key))?.Updates;
        }

        Assert.Equal(1, await Commit(100, 0));    // the first state of a key: written
        Assert.Equal(1, await Commit(90, 1));     // same level, session, peak and breach: not written again
        Assert.Equal(1, await Commit(95, 2));
        Assert.Equal(3, entry.State.Updates);     // memory has them all
        Assert.Equal(4, await Commit(120, 3));    // a new peak: written at once
        Assert.Equal(5, await Commit(-1200, 4));  // a loss level and a drawdown breach: written at once
        Assert.Equal(5, await Commit(-1250, 5));  // still a warning, still in breach
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(7, await Commit(-1260, 6));  // unchanged, but 30 s since the last write: written (the key's TTL moves on)
        Assert.Equal(AlertSeverity.Warning, RiskStateCodec.DeserializeStrategy((await RiskProbe.StoredAsync(infra.Redis, entry.Key))!.Value.Json).LossLevel);

        var (everyUpdate, _, _) = Create(refresh: "0");
        var other = await everyUpdate.StrategyAsync("acct", "every", default);
        for (var i = 0; i < 3; i++)
            await everyUpdate.CommitAsync(other, evaluator.Evaluate(other.State, Pnl("every", 100 - i, t.AddSeconds(i))).Next);
        Assert.Equal(3, (await RiskProbe.StoredAsync(infra.Redis, other.Key))!.Value.Updates); // RISK_STATE_REFRESH=0: every update
    }

    [Fact]
    public void A_refresh_longer_than_half_the_ttl_is_refused()
    {
        var e = Assert.Throws<SettingsException>(() => RiskEvaluatorOptions.From(new Settings(new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["RISK_STATE_TTL"] = "60", ["RISK_STATE_REFRESH"] = "31" }).Build())));
        Assert.Contains("RISK_STATE_REFRESH", e.Message);
    }

    [Fact]
    public void Band_edges_outside_the_decimal_range_are_clamped_never_thrown()
    {
        Assert.Equal(decimal.MaxValue, BandEdges.Clamp(1e60, 0, out var a));
        Assert.True(a);
        Assert.Equal(decimal.MinValue, BandEdges.Clamp(double.NegativeInfinity, 0, out _));
        Assert.Equal(7m, BandEdges.Clamp(double.NaN, 7m, out var c));
        Assert.True(c);
        Assert.Equal(101.5m, BandEdges.Clamp(101.5, 0, out var d));
        Assert.False(d);
    }

    [Fact]
    public async Task A_symbols_open_band_incident_is_written_to_redis_and_read_back_after_the_memory_is_dropped()
    {
        var (cache, _, _) = Create();
        var entry = await cache.SymbolAsync("INC-USD", default);
        var incident = new BandIncident(false, 97.5m, _clock.GetUtcNow(), _clock.GetUtcNow().AddSeconds(3));
        entry.State.LastPrice = 99m;
        entry.State.Updates = 5;
        entry.State.LastExchangeTime = _clock.GetUtcNow().AddSeconds(3);
        entry.State.Below = incident;
        await cache.CommitAsync(entry);

        cache.InvalidateAll(); // as after a restart or a partition moving: the next message reads Redis
        var reloaded = await cache.SymbolAsync("INC-USD", default);
        Assert.NotSame(entry, reloaded);
        Assert.Equal(incident, reloaded.State.Below);
        Assert.Null(reloaded.State.Above);
    }

    public void Dispose() => _metrics.Dispose();
}
