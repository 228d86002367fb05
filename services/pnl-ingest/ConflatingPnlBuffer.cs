using OpsBot.Contracts;

namespace OpsBot.PnlIngest;

/// <summary>
/// Holds PnL updates between Redis and the bus, one entry per (account, strategy): a newer update
/// replaces the waiting one in place (conflation — the latest PnL wins, and keeps its place in line).
/// The buffer holds at most <c>capacity</c> strategies; at the bound the oldest waiting entry is
/// dropped and counted, so memory stays bounded during a long broker outage while the newest
/// state of the busiest strategies survives.
/// With <c>conflate: false</c> (<c>PNL_CONFLATION=false</c>, for measuring the pipeline one bus message
/// per update) it is a bounded FIFO of updates instead, and <c>capacity</c> counts updates.
/// With conflation a strategy whose previous update is still being published (taken, not yet
/// <see cref="Completed"/> or <see cref="Return"/>ed) is not taken again, so one strategy's updates
/// reach the bus in order even though many strategies are published concurrently.
/// </summary>
public sealed class ConflatingPnlBuffer(int capacity, PnlIngestMetrics metrics, bool conflate = true)
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Account, string Strategy), LinkedListNode<PnlUpdatedV2>> _byKey = new();
    private readonly LinkedList<PnlUpdatedV2> _order = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly HashSet<(string Account, string Strategy)> _inFlight = new();

    public int Count { get { lock (_gate) return _order.Count; } }

    public int Capacity => capacity;

    public void Offer(PnlUpdatedV2 update)
    {
        lock (_gate)
        {
            var key = (update.Account, update.Strategy);
            if (conflate && _byKey.TryGetValue(key, out var node))
            {
                node.Value = update;
                metrics.Conflated();
                return;
            }
            if (_order.Count >= capacity)
            {
                var oldest = _order.First!;
                _order.RemoveFirst();
                if (conflate) _byKey.Remove((oldest.Value.Account, oldest.Value.Strategy));
                metrics.Dropped();
            }
            var added = _order.AddLast(update);
            if (conflate) _byKey[key] = added;
        }
        _available.Release();
    }

    /// <summary>Waits until at least one update may be waiting.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _available.WaitAsync(cancellationToken);

    /// <summary>
    /// Takes up to <paramref name="max"/> waiting updates, oldest first; at most one per strategy, and
    /// (with conflation) none of a strategy that is still in flight.
    /// </summary>
    public List<PnlUpdatedV2> TakeBatch(int max)
    {
        var batch = new List<PnlUpdatedV2>(Math.Min(max, 256));
        lock (_gate)
        {
            var node = _order.First;
            while (batch.Count < max && node is not null)
            {
                var next = node.Next;
                var key = (node.Value.Account, node.Value.Strategy);
                if (conflate && _inFlight.Contains(key))
                {
                    node = next;
                    continue;
                }
                _order.Remove(node);
                if (conflate)
                {
                    _byKey.Remove(key);
                    _inFlight.Add(key);
                }
                batch.Add(node.Value);
                node = next;
            }
        }
        return batch;
    }

    /// <summary>The update was published: its strategy may be taken again (wakes the publisher when a newer one waits).</summary>
    public void Completed(PnlUpdatedV2 update)
    {
        if (!conflate) return;
        bool waiting;
        lock (_gate)
        {
            var key = (update.Account, update.Strategy);
            _inFlight.Remove(key);
            waiting = _byKey.ContainsKey(key);
        }
        if (waiting) _available.Release();
    }

    /// <summary>Puts back updates that could not be published, unless a newer one of the same strategy arrived meanwhile.</summary>
    public void Return(IReadOnlyList<PnlUpdatedV2> updates)
    {
        var returned = 0;
        lock (_gate)
        {
            for (var i = updates.Count - 1; i >= 0; i--)
            {
                var update = updates[i];
                var key = (update.Account, update.Strategy);
                _inFlight.Remove(key);
                if (conflate && _byKey.ContainsKey(key)) { metrics.Conflated(); returned++; continue; }
                if (_order.Count >= capacity) { metrics.Dropped(); continue; }
                var added = _order.AddFirst(update);
                if (conflate) _byKey[key] = added;
                returned++;
            }
        }
        if (returned > 0) _available.Release(returned);
    }
}
