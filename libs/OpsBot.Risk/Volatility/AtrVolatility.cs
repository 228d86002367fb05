namespace OpsBot.Risk;

/// <summary>
/// The operations guide's "ATR": the average absolute percentage change over the last <see cref="Window"/> observations,
/// <see cref="Sigma"/> = (1/n)·Σ|rᵢ|. It takes returns (the percentage change expressed as a fraction,
/// pₜ/pₜ₋₁ − 1), not prices; <see cref="PriceBandRule"/> turns prices into such returns.
/// <para>
/// This is not Wilder's true range (that needs high and low). For Gaussian returns E|r| = σ·√(2/π) ≈ 0.80σ, so
/// band multipliers for ATR are larger than for std; calibrate them per model. <see cref="Variance"/> is
/// <see cref="Sigma"/>² (no Gaussian rescaling). Ring buffer with a running sum, recomputed exactly once every 64
/// windows; ready once the window is full (before that it averages what it has).
/// </para>
/// </summary>
public sealed class AtrVolatility : IVolatilityModel
{
    private const int RefreshEveryWindows = 64;
    private readonly double[] _buffer;
    private int _next;
    private int _filled;
    private int _sinceRefresh;
    private double _sum;

    public AtrVolatility(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _buffer = new double[window];
    }

    /// <summary>A model continuing from <paramref name="s"/>.</summary>
    public static AtrVolatility Restore(AtrSnapshot s)
    {
        InvalidVolatilitySnapshotException.ThrowIfBadRing(s.Buffer, s.Next, s.Filled, 1, "atr");
        InvalidVolatilitySnapshotException.ThrowIf(s.Count < s.Filled || s.SinceRefresh < 0, "atr counts");
        var model = new AtrVolatility(s.Buffer.Length);
        s.Buffer.CopyTo(model._buffer, 0);
        model._next = s.Next;
        model._filled = s.Filled;
        model._sinceRefresh = s.SinceRefresh;
        model._sum = s.Sum;
        model.Count = s.Count;
        return model;
    }

    public VolatilitySnapshot Snapshot() => new AtrSnapshot(Count, (double[])_buffer.Clone(), _next, _filled, _sinceRefresh, _sum);

    public int Window => _buffer.Length;
    public string Name => "atr";
    public int Count { get; private set; }
    public bool IsReady => _filled == _buffer.Length;
    public double Sigma => _filled == 0 ? double.NaN : Math.Max(_sum, 0) / _filled;
    public double Variance => Sigma * Sigma;

    public void Update(double ret)
    {
        ReturnGuard.ThrowIfNotFinite(ret);
        Count++;
        double a = Math.Abs(ret);
        if (_filled < _buffer.Length) _filled++;
        else _sum -= _buffer[_next];
        _buffer[_next] = a;
        _sum += a;
        if (++_next == _buffer.Length) _next = 0;
        if (_filled == _buffer.Length && ++_sinceRefresh == RefreshEveryWindows * _buffer.Length) Refresh();
    }

    private void Refresh()
    {
        _sinceRefresh = 0;
        double sum = 0;
        foreach (double x in _buffer) sum += x;
        _sum = sum;
    }

    public override string ToString() => $"atr(window={Window})";
}
