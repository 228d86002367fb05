using OpsBot.Contracts;

namespace OpsBot.ParityChecker;

/// <summary>
/// Collects events into windows of exchange time (<c>PARITY_WINDOW_SECONDS</c>, aligned to the Unix
/// epoch so every replica agrees). A window is due once the wall clock is past its end by the grace
/// (<c>PARITY_GRACE_SECONDS</c>, the allowance for the slower client and the bus); an event for a
/// window already compared is counted as late and ignored.
/// </summary>
public sealed class ParityWindowStore(ParityCheckerOptions options, ParityMetrics metrics, ILogger<ParityWindowStore> logger)
{
    private readonly object _gate = new();
    private readonly SortedDictionary<long, ParityWindow> _open = new();
    private long _closedThrough = long.MinValue;

    public int OpenWindows { get { lock (_gate) return _open.Count; } }

    public bool Add(TickerReceived ticker) => Add(ticker.ExchangeTime, ticker.Client, w => w.Add(ticker));

    public bool Add(UserUpdateReceived update) => Add(update.ExchangeTime, update.Client, w => w.Add(update));

    /// <summary>Removes and returns the windows whose end plus grace is at or before <paramref name="now"/>, oldest first.</summary>
    public List<ParityWindow> TakeDue(DateTimeOffset now)
    {
        var due = new List<ParityWindow>();
        lock (_gate)
        {
            foreach (var (index, window) in _open)
            {
                if (window.End + options.Grace > now) break;
                due.Add(window);
                _closedThrough = Math.Max(_closedThrough, index);
            }
            foreach (var w in due) _open.Remove(IndexOf(w.Start));
        }
        return due;
    }

    private bool Add(DateTimeOffset exchangeTime, string client, Action<ParityWindow> add)
    {
        metrics.Event(client);
        var index = IndexOf(exchangeTime);
        lock (_gate)
        {
            if (index <= _closedThrough)
            {
                metrics.Late();
                logger.LogWarning("Event from the {Client} client at {ExchangeTime:O} arrived after its window was compared; ignored", client, exchangeTime);
                return false;
            }
            if (!_open.TryGetValue(index, out var window))
            {
                var start = DateTimeOffset.UnixEpoch + options.Window * index;
                _open[index] = window = new ParityWindow(start, start + options.Window);
            }
            add(window);
        }
        return true;
    }

    private long IndexOf(DateTimeOffset at) => (long)Math.Floor((at - DateTimeOffset.UnixEpoch) / options.Window);
}
