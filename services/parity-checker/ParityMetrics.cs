using System.Diagnostics.Metrics;
using OpsBot.ServiceDefaults;

namespace OpsBot.ParityChecker;

/// <summary>parity-checker's counters: windows by status, events received, events too late for their window.</summary>
public sealed class ParityMetrics : IDisposable
{
    private readonly Meter _meter = OpsBotMetrics.CreateMeter("ParityChecker");
    private readonly Counter<long> _windows;
    private readonly Counter<long> _events;
    private readonly Counter<long> _late;
    private readonly Counter<long> _resolved;
    private long _lateTotal;

    public ParityMetrics()
    {
        _windows = _meter.CreateCounter<long>("opsbot.parity.windows", description: "Windows compared, by status (PASS, FAIL)");
        _events = _meter.CreateCounter<long>("opsbot.parity.events", description: "Market events received, by client");
        _resolved = _meter.CreateCounter<long>("opsbot.parity.alerts.resolved", description: "AlertResolved published for parity:market-feed (a PASS window after a FAIL, or the first PASS after a start)");
        _late = _meter.CreateCounter<long>("opsbot.parity.late_events", description: "Events whose window was already compared");
    }

    public long LateTotal => Interlocked.Read(ref _lateTotal);

    public void Window(string status) => _windows.Add(1, new KeyValuePair<string, object?>("status", status));
    public void Event(string client) => _events.Add(1, new KeyValuePair<string, object?>("client", client));

    public void Resolved() => _resolved.Add(1);

    public void Late()
    {
        Interlocked.Increment(ref _lateTotal);
        _late.Add(1);
    }

    public void Dispose() => _meter.Dispose();
}
