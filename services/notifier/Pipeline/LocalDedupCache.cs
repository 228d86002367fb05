namespace OpsBot.Notifier.Pipeline;

/// <summary>
/// The in-process fallback for dedup while Redis is unreachable: the same claim semantics as Redis
/// <c>SET NX PX</c>, bounded to <c>capacity</c> keys (expired keys go first, then the least recently
/// used), on a <see cref="TimeProvider"/> so tests can move time.
/// </summary>
public sealed class LocalDedupCache(int capacity, TimeProvider time)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _lru = new(); // most recently used first

    private sealed record Entry(string Key, string Value, DateTimeOffset ExpiresAt);

    public int Count { get { lock (_gate) return _entries.Count; } }

    /// <summary>Sets <paramref name="key"/> when it is absent (or expired) and returns null; else returns the value held.</summary>
    public string? SetIfAbsent(string key, string value, TimeSpan ttl)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                if (node.Value.ExpiresAt > now)
                {
                    _lru.Remove(node);
                    _lru.AddFirst(node);
                    return node.Value.Value;
                }
                Remove(node);
            }
            while (_entries.Count >= capacity) Evict(now);
            _entries[key] = _lru.AddFirst(new Entry(key, value, now + ttl));
            return null;
        }
    }

    /// <summary>Replaces the value of a live key, keeping its expiry.</summary>
    public void Replace(string key, string value)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node) && node.Value.ExpiresAt > time.GetUtcNow())
                node.Value = node.Value with { Value = value };
        }
    }

    /// <summary>Removes <paramref name="key"/> if it still holds <paramref name="value"/>.</summary>
    public void RemoveIf(string key, string value)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node) && node.Value.Value == value) Remove(node);
        }
    }

    /// <summary>Removes <paramref name="key"/> whatever it holds.</summary>
    public void Forget(string key)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node)) Remove(node);
        }
    }

    private void Evict(DateTimeOffset now)
    {
        // An expired entry near the cold end if there is one (a short scan keeps inserts O(1)), else the least recently used.
        var victim = _lru.Last!;
        var scanned = 0;
        for (var n = _lru.Last; n is not null && scanned < 32; n = n.Previous, scanned++)
        {
            if (n.Value.ExpiresAt <= now) { victim = n; break; }
        }
        Remove(victim);
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _entries.Remove(node.Value.Key);
        _lru.Remove(node);
    }
}
