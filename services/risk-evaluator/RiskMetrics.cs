using System.Diagnostics.Metrics;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

/// <summary>The kind of key a state belongs to (the <c>kind</c> label of the state metrics).</summary>
public enum RiskStateKind
{
    Strategy,
    Symbol,
}

/// <summary>risk-evaluator's own meters (<c>opsbot_risk_*</c> on /metrics; listed in docs/risk.md).</summary>
public sealed class RiskMetrics : IDisposable
{
    private readonly Meter _meter = OpsBotMetrics.CreateMeter("RiskEvaluator");
    private readonly Counter<long> _evaluated;
    private readonly Counter<long> _ignored;
    private readonly Counter<long> _absurd;
    private readonly Counter<long> _loadFailures;
    private readonly Counter<long> _writeFailures;
    private readonly Counter<long> _fenced;
    private readonly Counter<long> _evicted;
    private readonly Counter<long> _writesSkipped;
    private readonly Counter<long> _resolved;
    private Func<RiskStateKind, int> _held = _ => 0;
    private Func<int> _dirty = () => 0;

    public RiskMetrics()
    {
        _evaluated = _meter.CreateCounter<long>("opsbot.risk.messages.evaluated", description: "Messages judged by a rule and committed, by kind (pnl, ticker)");
        _ignored = _meter.CreateCounter<long>("opsbot.risk.messages.ignored", description: "Messages not fed to a rule, by kind and reason (stale, duplicate, non_positive_price)");
        _resolved = _meter.CreateCounter<long>("opsbot.risk.alerts.resolved", description: "AlertResolved published (incidents whose condition cleared), by rule (pnl_loss, drawdown, price_band, kill_switch)");
        _absurd = _meter.CreateCounter<long>("opsbot.risk.absurd_prices", description: "Band edges outside the decimal range, clamped (the alert is still raised)");
        _loadFailures = _meter.CreateCounter<long>("opsbot.risk.state.load_failures", description: "State reads that started from empty or partial state, by kind and reason (unavailable, unreadable, incompatible)");
        _writeFailures = _meter.CreateCounter<long>("opsbot.risk.state.write_failures", description: "State writes that failed or were skipped while Redis was down (the key is marked dirty), by kind");
        _fenced = _meter.CreateCounter<long>("opsbot.risk.state.fenced", description: "State writes refused because Redis holds a newer state of the key, by kind");
        _writesSkipped = _meter.CreateCounter<long>("opsbot.risk.state.writes_skipped", description: "Strategy state writes left out because the judgement did not change and RISK_STATE_REFRESH had not passed, by kind");
        _evicted = _meter.CreateCounter<long>("opsbot.risk.state.evicted", description: "Keys dropped from memory after RISK_STATE_IDLE_EVICTION without a message, by kind");
        _meter.CreateObservableGauge("opsbot.risk.state.held", () => new[]
        {
            new Measurement<int>(_held(RiskStateKind.Strategy), Kind(RiskStateKind.Strategy)),
            new Measurement<int>(_held(RiskStateKind.Symbol), Kind(RiskStateKind.Symbol)),
        }, description: "Strategies and symbols whose state is held in memory, by kind");
        _meter.CreateObservableGauge("opsbot.risk.state.dirty", () => _dirty(), description: "Keys whose latest state waits to be written to Redis");
    }

    internal void Observe(Func<RiskStateKind, int> held, Func<int> dirty)
    {
        _held = held;
        _dirty = dirty;
    }

    public void Evaluated(string kind) => _evaluated.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Ignored(string kind, string reason) =>
        _ignored.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("reason", reason));

    public void Resolved(string rule) => _resolved.Add(1, new KeyValuePair<string, object?>("rule", rule));

    public void AbsurdPrice() => _absurd.Add(1);

    public void LoadFailure(RiskStateKind kind, string reason) =>
        _loadFailures.Add(1, Kind(kind), new KeyValuePair<string, object?>("reason", reason));

    public void WriteFailure(RiskStateKind kind) => _writeFailures.Add(1, Kind(kind));

    public void Fenced(RiskStateKind kind) => _fenced.Add(1, Kind(kind));

    public void WriteSkipped(RiskStateKind kind) => _writesSkipped.Add(1, Kind(kind));

    public void Evicted(RiskStateKind kind, int count)
    {
        if (count > 0) _evicted.Add(count, Kind(kind));
    }

    private static KeyValuePair<string, object?> Kind(RiskStateKind kind) =>
        new("kind", kind == RiskStateKind.Strategy ? "strategy" : "symbol");

    public void Dispose() => _meter.Dispose();
}
