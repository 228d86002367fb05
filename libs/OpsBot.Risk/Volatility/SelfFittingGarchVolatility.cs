namespace OpsBot.Risk;

/// <summary>
/// GARCH(1,1) that calibrates itself per symbol: until <c>fitWindow</c> returns have been seen it
/// reports an EWMA estimate (λ = 0.94) and is not ready for the first <c>EwmaWarmUp</c> returns; then it fits
/// the QMLE on the last <c>fitWindow</c> returns and filters on with the fitted parameters, refitting
/// every <c>fitWindow</c> returns. A fit the data cannot support (<see cref="GarchFitException"/>)
/// keeps the EWMA estimate until the next refit and is reported in <see cref="LastFitError"/>.
/// Update allocates nothing except at a fit (a few hundred KB once per window).
/// </summary>
public sealed class SelfFittingGarchVolatility : IVolatilityModel
{
    private readonly double[] _window;
    private EwmaVolatility _fallback = new();
    private GarchVolatility? _garch;
    private int _next;
    private int _filled;
    private int _sinceFit;

    public SelfFittingGarchVolatility(int fitWindow = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fitWindow, Garch11Estimator.MinObservations);
        _window = new double[fitWindow];
    }

    /// <summary>A model continuing from <paramref name="s"/>.</summary>
    public static SelfFittingGarchVolatility Restore(SelfFittingGarchSnapshot s)
    {
        InvalidVolatilitySnapshotException.ThrowIfBadRing(s.Window, s.Next, s.Filled, Garch11Estimator.MinObservations, "garch-fit");
        InvalidVolatilitySnapshotException.ThrowIf(s.Count < s.Filled || s.SinceFit < 0 || s.Fallback is null, "garch-fit counts");
        var model = new SelfFittingGarchVolatility(s.Window.Length);
        s.Window.CopyTo(model._window, 0);
        model._next = s.Next;
        model._filled = s.Filled;
        model._sinceFit = s.SinceFit;
        model._fallback = EwmaVolatility.Restore(s.Fallback);
        model._garch = s.Garch is null ? null : GarchVolatility.Restore(s.Garch);
        model.LastFitError = s.LastFitError;
        model.Count = s.Count;
        return model;
    }

    public VolatilitySnapshot Snapshot() => new SelfFittingGarchSnapshot(
        Count, (double[])_window.Clone(), _next, _filled, _sinceFit, _fallback.Snapshot(), _garch?.Snapshot(), LastFitError);

    /// <summary>Returns per fit.</summary>
    public int FitWindow => _window.Length;

    public string Name => "garch";
    public int Count { get; private set; }
    public bool IsReady => _garch is not null || _fallback.IsReady;
    public double Variance => _garch?.Variance ?? _fallback.Variance;
    public double Sigma => Math.Sqrt(Variance);

    /// <summary>The parameters in use, or null while the EWMA estimate stands in.</summary>
    public GarchParameters? Parameters => _garch?.Parameters;

    /// <summary>Why the last fit failed, or null.</summary>
    public string? LastFitError { get; private set; }

    public void Update(double ret)
    {
        _fallback.Update(ret);
        _garch?.Update(ret);
        _window[_next] = ret;
        _next = (_next + 1) % _window.Length;
        if (_filled < _window.Length) _filled++;
        Count++;
        _sinceFit++;
        if (_filled == _window.Length && _sinceFit >= _window.Length)
        {
            _sinceFit = 0;
            Refit();
        }
    }

    private void Refit()
    {
        var ordered = new double[_window.Length];
        var head = _window.Length - _next;
        Array.Copy(_window, _next, ordered, 0, head);
        Array.Copy(_window, 0, ordered, head, _next);
        try
        {
            _garch = GarchVolatility.FromFit(Garch11Estimator.Fit(ordered));
            LastFitError = null;
        }
        catch (GarchFitException e)
        {
            LastFitError = e.Message;
        }
        catch (ArgumentException e)
        {
            // The optimiser can end a hair outside the bounds (alpha = -8.7e-19 was seen); the filter refuses such
            // parameters. Keep the previous estimate, as for a failed fit, rather than throwing out of Update.
            LastFitError = e.Message;
        }
    }

    public override string ToString() => $"garch(fitWindow={FitWindow})";
}
