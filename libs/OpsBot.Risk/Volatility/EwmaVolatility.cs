namespace OpsBot.Risk;

/// <summary>
/// RiskMetrics exponentially weighted variance, zero mean: σ²ₜ = λσ²ₜ₋₁ + (1 − λ)r²ₜ₋₁.
/// <para>
/// After the update with rₜ, <see cref="Variance"/> is σ²ₜ₊₁ = λσ²ₜ + (1 − λ)rₜ², the forecast for the next
/// return. Initialisation: σ²₁ = the <c>initialVariance</c> given, or else r₁² (so after the first return the
/// variance is exactly r₁²). Ready after <c>warmUp</c> returns (default 10), because the first few estimates
/// lean heavily on the initial variance.
/// </para>
/// </summary>
public sealed class EwmaVolatility : IVolatilityModel
{
    /// <summary>RiskMetrics' daily decay factor.</summary>
    public const double DefaultLambda = 0.94;

    private readonly double? _initialVariance;
    private readonly int _warmUp;
    private double _variance = double.NaN;

    public EwmaVolatility(double lambda = DefaultLambda, int warmUp = 10, double? initialVariance = null)
    {
        if (!(lambda > 0 && lambda < 1))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "EWMA lambda must be in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfLessThan(warmUp, 1);
        if (initialVariance is { } v && !(v >= 0 && double.IsFinite(v)))
            throw new ArgumentOutOfRangeException(nameof(initialVariance), v, "The initial variance must be finite and non-negative.");
        Lambda = lambda;
        _warmUp = warmUp;
        _initialVariance = initialVariance;
    }

    /// <summary>A model continuing from <paramref name="s"/>.</summary>
    public static EwmaVolatility Restore(EwmaSnapshot s)
    {
        InvalidVolatilitySnapshotException.ThrowIf(s.Count < 0, "ewma count");
        InvalidVolatilitySnapshotException.ThrowIf(s.Count > 0 && !(s.Variance >= 0 && double.IsFinite(s.Variance)), "ewma variance");
        EwmaVolatility model;
        try { model = new EwmaVolatility(s.Lambda, s.WarmUp, s.InitialVariance); }
        catch (ArgumentOutOfRangeException e) { throw new InvalidVolatilitySnapshotException($"Invalid volatility snapshot: {e.Message}"); }
        model._variance = s.Variance;
        model.Count = s.Count;
        return model;
    }

    public EwmaSnapshot Snapshot() => new(Count, Lambda, _warmUp, _initialVariance, _variance);

    VolatilitySnapshot IVolatilityModel.Snapshot() => Snapshot();

    public double Lambda { get; }
    public string Name => "ewma";
    public int Count { get; private set; }
    public bool IsReady => Count >= _warmUp;
    public double Variance => _variance;
    public double Sigma => Math.Sqrt(_variance);

    public void Update(double ret)
    {
        ReturnGuard.ThrowIfNotFinite(ret);
        double r2 = ret * ret;
        double previous = Count == 0 ? _initialVariance ?? r2 : _variance;
        _variance = Lambda * previous + (1 - Lambda) * r2;
        Count++;
    }

    public override string ToString() => $"ewma(lambda={Lambda})";
}
