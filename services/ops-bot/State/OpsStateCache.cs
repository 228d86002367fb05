using System.Collections.Concurrent;
using OpsBot.Contracts;

namespace OpsBot.Bot.State;

/// <summary>One alert and what became of it on each channel.</summary>
public sealed record AlertRecord(string DedupKey, Guid AlertId, AlertRaised? Alert, IReadOnlyList<DeliveryRecord> Deliveries)
{
    public DateTimeOffset Seen => Alert?.Timestamp ?? Deliveries.Select(d => d.At).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
}

public sealed record DeliveryRecord(DeliveryChannel Channel, bool Delivered, string Detail, DateTimeOffset At);

/// <summary>
/// What the bot knows, built only from events on the bus (no HTTP calls to other services): the latest
/// PnL per strategy, kill-switch state per scope, recent alerts and their delivery, the latest parity
/// report, the last ticker and price band per symbol. Each replica keeps its own copy (its own queue).
/// </summary>
public sealed class OpsStateCache
{
    public const int MaxAlerts = 50;
    public const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<(string Account, string Strategy), PnlUpdated> _pnl = new();
    private readonly ConcurrentDictionary<string, KillSwitchChanged> _killSwitch = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TickerReceived> _tickers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, PriceBandUpdated> _bands = new(StringComparer.OrdinalIgnoreCase);
    private readonly LinkedList<AlertRecord> _alerts = new();
    private readonly object _alertGate = new();
    private ParityReport? _parity;

    public void Record(PnlUpdated pnl)
    {
        if (_pnl.Count >= MaxKeys && !_pnl.ContainsKey((pnl.Account, pnl.Strategy))) return;
        _pnl.AddOrUpdate((pnl.Account, pnl.Strategy), pnl, (_, old) => pnl.AsOf >= old.AsOf ? pnl : old);
    }

    public void Record(KillSwitchChanged change) =>
        _killSwitch.AddOrUpdate(change.Scope, change, (_, old) => change.Timestamp >= old.Timestamp ? change : old);

    public void Record(TickerReceived ticker)
    {
        if (_tickers.Count >= MaxKeys && !_tickers.ContainsKey(ticker.Symbol)) return;
        _tickers.AddOrUpdate(ticker.Symbol, ticker, (_, old) => ticker.ExchangeTime >= old.ExchangeTime ? ticker : old);
    }

    public void Record(PriceBandUpdated band)
    {
        if (_bands.Count >= MaxKeys && !_bands.ContainsKey(band.Symbol)) return;
        _bands.AddOrUpdate(band.Symbol, band, (_, old) => band.Timestamp >= old.Timestamp ? band : old);
    }

    public void Record(ParityReport report)
    {
        lock (_alertGate)
        {
            if (_parity is null || report.WindowEnd >= _parity.WindowEnd) _parity = report;
        }
    }

    public void Record(AlertRaised alert) =>
        Upsert(alert.AlertId, alert.DedupKey, r => r with { Alert = alert });

    public void Record(AlertDelivered delivered) =>
        Upsert(delivered.AlertId, delivered.DedupKey, r => r with
        {
            Deliveries = [.. r.Deliveries, new DeliveryRecord(delivered.Channel, true, $"{delivered.Destination}, attempt {delivered.Attempts}", delivered.Timestamp)],
        });

    public void Record(AlertDeliveryFailed failed) =>
        Upsert(failed.AlertId, failed.DedupKey, r => r with
        {
            Deliveries = [.. r.Deliveries, new DeliveryRecord(failed.Channel, false, $"{failed.Reason} after {failed.Attempts} attempts", failed.Timestamp)],
        });

    public IReadOnlyList<PnlUpdated> Pnl() => _pnl.Values.OrderBy(p => p.Strategy, StringComparer.Ordinal).ThenBy(p => p.Account, StringComparer.Ordinal).ToList();

    public IReadOnlyDictionary<string, KillSwitchChanged> KillSwitches() => new Dictionary<string, KillSwitchChanged>(_killSwitch);

    public TickerReceived? Ticker(string symbol) => _tickers.GetValueOrDefault(symbol);

    public IReadOnlyList<TickerReceived> Tickers() => _tickers.Values.OrderBy(t => t.Symbol, StringComparer.Ordinal).ToList();

    public PriceBandUpdated? Band(string symbol) => _bands.GetValueOrDefault(symbol);

    public IReadOnlyList<PriceBandUpdated> Bands() => _bands.Values.OrderBy(b => b.Symbol, StringComparer.Ordinal).ToList();

    public ParityReport? Parity { get { lock (_alertGate) return _parity; } }

    public AlertRecord? LatestAlert(string dedupKey)
    {
        lock (_alertGate) return _alerts.Reverse().FirstOrDefault(a => a.DedupKey == dedupKey && a.Alert is not null);
    }

    private void Upsert(Guid alertId, string dedupKey, Func<AlertRecord, AlertRecord> change)
    {
        lock (_alertGate)
        {
            for (var node = _alerts.Last; node is not null; node = node.Previous)
            {
                if (node.Value.AlertId != alertId) continue;
                node.Value = change(node.Value);
                return;
            }
            _alerts.AddLast(change(new AlertRecord(dedupKey, alertId, null, [])));
            while (_alerts.Count > MaxAlerts) _alerts.RemoveFirst();
        }
    }
}
