namespace OpsBot.Risk;

/// <summary>How a <see cref="GarchFit"/> was obtained.</summary>
public enum GarchFitMethod
{
    /// <summary>Gaussian quasi-maximum likelihood (the default).</summary>
    Qmle,

    /// <summary>The method-of-moments heuristic (fast start, fallback).</summary>
    MethodOfMoments,
}

/// <summary>Standard errors of the four parameters, from the inverse of the negative log-likelihood Hessian.</summary>
public sealed record GarchStandardErrors(double Mu, double Omega, double Alpha, double Beta);

/// <summary>
/// A fitted constant-mean GARCH(1,1). <see cref="LastVariance"/> is h_T, the conditional variance of the last
/// observation; <see cref="NextVariance"/> is h_{T+1} = ω + α e_T² + β h_T, the first forecast.
/// </summary>
public sealed record GarchFit
{
    public required double Mu { get; init; }
    public required double Omega { get; init; }
    public required double Alpha { get; init; }
    public required double Beta { get; init; }

    /// <summary>Null for the method-of-moments fit, where the Hessian is not meaningful.</summary>
    public GarchStandardErrors? StandardErrors { get; init; }

    /// <summary>Gaussian log-likelihood at the estimates, constant 0.5·ln 2π per observation included.</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>Number of returns the fit used.</summary>
    public required int N { get; init; }

    /// <summary>h_T: conditional variance of the last observation.</summary>
    public required double LastVariance { get; init; }

    /// <summary>h_{T+1}: one-step-ahead variance forecast.</summary>
    public required double NextVariance { get; init; }

    public required GarchFitMethod Method { get; init; }

    /// <summary>Optimiser iterations (0 for the method of moments).</summary>
    public int Iterations { get; init; }

    /// <summary>Why the optimiser stopped (MathNet's exit condition), or "closed form".</summary>
    public string Convergence { get; init; } = "";

    public GarchParameters Parameters => new(Mu, Omega, Alpha, Beta);

    /// <summary>α + β.</summary>
    public double Persistence => Alpha + Beta;

    /// <summary>σ̄² = ω / (1 − α − β).</summary>
    public double LongRunVariance => Parameters.LongRunVariance;

    /// <summary>
    /// k-step-ahead variance forecast h_{T+k} = σ̄² + (α+β)^{k−1}(h_{T+1} − σ̄²), k ≥ 1.
    /// </summary>
    public double Forecast(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        double lr = LongRunVariance;
        return lr + Math.Pow(Persistence, k - 1) * (NextVariance - lr);
    }

    /// <summary>Forecasts h_{T+1} … h_{T+horizon}.</summary>
    public double[] Forecasts(int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var f = new double[horizon];
        for (int k = 1; k <= horizon; k++) f[k - 1] = Forecast(k);
        return f;
    }
}
