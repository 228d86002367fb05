namespace OpsBot.Risk;

/// <summary>
/// GARCH(1,1) variance filter with given parameters: hₜ₊₁ = ω + α eₜ² + β hₜ, eₜ = rₜ − mu.
/// After the update with rₜ, <see cref="Variance"/> is hₜ₊₁. Starts at the <c>initialVariance</c> given, or the
/// long-run variance ω/(1 − α − β) (which needs α + β &lt; 1); <see cref="FromFit"/> starts at the fit's
/// h_{T+1} so the filter continues where the estimation sample ended. Always ready: the parameters define the
/// variance from the start.
/// </summary>
public sealed class GarchVolatility : IVolatilityModel
{
    private double _h;

    public GarchVolatility(GarchParameters parameters, double? initialVariance = null)
    {
        parameters.Validate();
        if (initialVariance is null && parameters.Persistence >= 1)
            throw new ArgumentException(
                $"GARCH alpha + beta = {parameters.Persistence:G6} >= 1 has no long-run variance; pass an initial variance.",
                nameof(parameters));
        double h0 = initialVariance ?? parameters.LongRunVariance;
        if (!(h0 > 0 && double.IsFinite(h0)))
            throw new ArgumentOutOfRangeException(nameof(initialVariance), h0, "The initial variance must be positive and finite.");
        Parameters = parameters;
        _h = h0;
    }

    /// <summary>A filter that continues after the fit's sample, starting at h_{T+1}.</summary>
    public static GarchVolatility FromFit(GarchFit fit) => new(fit.Parameters, fit.NextVariance);

    /// <summary>A filter continuing from <paramref name="s"/>.</summary>
    public static GarchVolatility Restore(GarchSnapshot s)
    {
        InvalidVolatilitySnapshotException.ThrowIf(s.Count < 0, "garch count");
        GarchVolatility model;
        try { model = new GarchVolatility(new GarchParameters(s.Mu, s.Omega, s.Alpha, s.Beta), s.H); }
        catch (ArgumentException e) { throw new InvalidVolatilitySnapshotException($"Invalid volatility snapshot: {e.Message}"); }
        model.Count = s.Count;
        return model;
    }

    public GarchSnapshot Snapshot() => new(Count, Parameters.Mu, Parameters.Omega, Parameters.Alpha, Parameters.Beta, _h);

    VolatilitySnapshot IVolatilityModel.Snapshot() => Snapshot();

    public GarchParameters Parameters { get; }
    public string Name => "garch";
    public int Count { get; private set; }
    public bool IsReady => true;
    public double Variance => _h;
    public double Sigma => Math.Sqrt(_h);

    public void Update(double ret)
    {
        ReturnGuard.ThrowIfNotFinite(ret);
        double e = ret - Parameters.Mu;
        _h = Parameters.Omega + Parameters.Alpha * e * e + Parameters.Beta * _h;
        Count++;
    }

    /// <summary>k-step-ahead variance from now: σ̄² + (α+β)^{k−1}(h_next − σ̄²); k = 1 is <see cref="Variance"/>.</summary>
    public double Forecast(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (k == 1) return _h;
        double lr = Parameters.LongRunVariance;
        return lr + Math.Pow(Parameters.Persistence, k - 1) * (_h - lr);
    }

    public override string ToString() =>
        $"garch(mu={Parameters.Mu:G6}, omega={Parameters.Omega:G6}, alpha={Parameters.Alpha:G6}, beta={Parameters.Beta:G6})";
}
