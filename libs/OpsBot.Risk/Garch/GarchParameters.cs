namespace OpsBot.Risk;

/// <summary>
/// Parameters of a constant-mean GARCH(1,1): rₜ = mu + eₜ, hₜ₊₁ = ω + α eₜ² + β hₜ.
/// </summary>
public readonly record struct GarchParameters(double Mu, double Omega, double Alpha, double Beta)
{
    /// <summary>α + β; the variance process is covariance-stationary only when it is below 1.</summary>
    public double Persistence => Alpha + Beta;

    /// <summary>Unconditional variance σ̄² = ω / (1 − α − β); NaN when α + β ≥ 1.</summary>
    public double LongRunVariance => Persistence < 1 ? Omega / (1 - Persistence) : double.NaN;

    /// <summary>Throws <see cref="ArgumentException"/> unless ω &gt; 0, α ≥ 0, β ≥ 0 and all are finite.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Mu) || !double.IsFinite(Omega) || !double.IsFinite(Alpha) || !double.IsFinite(Beta))
            throw new ArgumentException($"GARCH parameters must be finite: {this}.");
        if (Omega <= 0 || Alpha < 0 || Beta < 0)
            throw new ArgumentException($"GARCH parameters need omega > 0, alpha >= 0, beta >= 0: {this}.");
    }
}
