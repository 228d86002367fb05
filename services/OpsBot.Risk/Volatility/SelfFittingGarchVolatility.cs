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
    private readonly EwmaVolatility _fallback = new();
    private GarchVolatility? _garch;
    private int _next;
    private int _filled;
    private int _sinceFit;

    public SelfFittingGarchVolatility(int fitWindow = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fitWindow, Garch11Estimator.MinObservations);
        _window = new double[fitWindow];
    }

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
    }
}
