namespace OpsBot.Risk;

/// <summary>
/// Sample standard deviation (divisor n − 1) of the last <see cref="Window"/> returns.
/// <para>
/// Welford's running mean and sum of squared deviations on a ring buffer: a new return enters and the oldest
/// leaves in one O(1) step (mean' = mean + (x − y)/n, M2' = M2 + (x − y)(x − mean' + y − mean)), so it works
/// on deviations and is stable on data with a large offset, unlike Σx² − (Σx)²/n. To stop rounding drift over
/// millions of updates the sums are recomputed exactly from the buffer (two passes) once every 64 windows,
/// which keeps the cost amortised O(1).
/// </para>
/// Ready once the window is full; before that the estimate covers the returns seen (NaN below two).
/// </summary>
public sealed class RollingStdVolatility : IVolatilityModel
{
    private const int RefreshEveryWindows = 64;
    private readonly double[] _buffer;
    private int _next;
    private int _filled;
    private int _sinceRefresh;
    private double _mean;
    private double _m2;

    public RollingStdVolatility(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        _buffer = new double[window];
    }

    /// <summary>A model continuing from <paramref name="s"/>.</summary>
    public static RollingStdVolatility Restore(StdSnapshot s)
    {
        InvalidVolatilitySnapshotException.ThrowIfBadRing(s.Buffer, s.Next, s.Filled, 2, "std");
        InvalidVolatilitySnapshotException.ThrowIf(s.Count < s.Filled || s.SinceRefresh < 0, "std counts");
        var model = new RollingStdVolatility(s.Buffer.Length);
        s.Buffer.CopyTo(model._buffer, 0);
        model._next = s.Next;
        model._filled = s.Filled;
        model._sinceRefresh = s.SinceRefresh;
        model._mean = s.Mean;
        model._m2 = s.M2;
        model.Count = s.Count;
        return model;
    }

    public VolatilitySnapshot Snapshot() => new StdSnapshot(Count, (double[])_buffer.Clone(), _next, _filled, _sinceRefresh, _mean, _m2);

    public int Window => _buffer.Length;
    public string Name => "std";
    public int Count { get; private set; }
    public bool IsReady => _filled == _buffer.Length;
    public double Variance => _filled < 2 ? double.NaN : Math.Max(_m2, 0) / (_filled - 1);
    public double Sigma => Math.Sqrt(Variance);

    /// <summary>Mean of the returns in the window.</summary>
    public double Mean => _filled == 0 ? double.NaN : _mean;

    public void Update(double ret)
    {
        ReturnGuard.ThrowIfNotFinite(ret);
        Count++;
        if (_filled < _buffer.Length)
        {
            _buffer[_next] = ret;
            _filled++;
            double d = ret - _mean;
            _mean += d / _filled;
            _m2 += d * (ret - _mean);
        }
        else
        {
            double old = _buffer[_next];
            _buffer[_next] = ret;
            double oldMean = _mean;
            _mean += (ret - old) / _filled;
            _m2 += (ret - old) * (ret - _mean + old - oldMean);
            if (++_sinceRefresh == RefreshEveryWindows * _buffer.Length) Refresh();
        }
        if (++_next == _buffer.Length) _next = 0;
    }

    private void Refresh()
    {
        _sinceRefresh = 0;
        double mean = 0;
        foreach (double x in _buffer) mean += x;
        mean /= _buffer.Length;
        double m2 = 0;
        foreach (double x in _buffer) m2 += (x - mean) * (x - mean);
        _mean = mean;
        _m2 = m2;
    }

    public override string ToString() => $"std(window={Window})";
}
