using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using MathNet.Numerics.Statistics;

namespace OpsBot.Risk;

/// <summary>
/// Estimates a constant-mean GARCH(1,1), rₜ = mu + eₜ, hₜ₊₁ = ω + α eₜ² + β hₜ, eₜ | past ~ N(0, hₜ).
/// <para>
/// <see cref="Fit"/> is Gaussian quasi-maximum likelihood: MathNet's box-constrained BFGS
/// (<see cref="BfgsBMinimizer"/>) on the mean negative log-likelihood with an analytic gradient, started
/// from the method-of-moments heuristic. Start-up rule (the published benchmark's): h₀ = e₀² = mean of the
/// squared residuals at the current mu, so h₁ = ω + (α+β)·mean(e²). Standard errors come from the inverse of
/// the negative Hessian, obtained by central differences of the analytic gradient.
/// </para>
/// <para>
/// The returns are divided by their sample standard deviation before optimising and the estimates mapped back
/// (mu·s, ω·s², α, β, log-likelihood − N·ln s); the likelihood is exactly equivariant under this scaling, and it
/// lets the same tolerances serve percent returns and tick returns of 1e-5.
/// </para>
/// </summary>
public static class Garch11Estimator
{
    /// <summary>The fewest returns a fit accepts.</summary>
    public const int MinObservations = 100;

    private const double GradientTolerance = 1e-10;
    private const double ParameterTolerance = 1e-12;
    private const double FunctionProgressTolerance = 1e-15;

    /// <summary>Gaussian QMLE fit. Throws <see cref="GarchFitException"/> when the data cannot support a fit.</summary>
    public static GarchFit Fit(ReadOnlySpan<double> returns, int maxIterations = 1000)
    {
        var (x, scale) = Standardise(returns);
        var start = MomentsInScaledUnits(x);
        int n = x.Length;

        var objective = ObjectiveFunction.Gradient(v =>
        {
            Span<double> theta = stackalloc double[4];
            Span<double> g = stackalloc double[4];
            for (int i = 0; i < 4; i++) theta[i] = v[i];
            double ll = GarchLikelihood.LogLikelihood(x, theta, g);
            var grad = Vector<double>.Build.Dense(4);
            for (int i = 0; i < 4; i++) grad[i] = -g[i] / n;
            return (-ll / n, grad);
        });

        // Box: mu inside the data's range, ω > 0, 0 ≤ α ≤ 1, 0 ≤ β ≤ 1. With β ≤ 1 every hₜ stays finite,
        // so α + β ≥ 1 is reachable and reported instead of crashing the optimiser.
        var (min, max) = (x.Min(), x.Max());
        var lower = Vector<double>.Build.Dense([min, 1e-10, 0.0, 0.0]);
        var upper = Vector<double>.Build.Dense([max, 10.0, 1.0, 1.0]);
        var initial = Vector<double>.Build.Dense([start.Mu, start.Omega, start.Alpha, start.Beta]);

        MinimizationResult result;
        try
        {
            var minimizer = new BfgsBMinimizer(GradientTolerance, ParameterTolerance, FunctionProgressTolerance, maxIterations);
            result = minimizer.FindMinimum(objective, lower, upper, initial);
        }
        catch (OptimizationException ex)
        {
            throw new GarchFitException($"GARCH(1,1) QMLE optimiser failed: {ex.Message}", ex);
        }

        var p = result.MinimizingPoint;
        var scaled = new GarchParameters(p[0], p[1], p[2], p[3]);
        if (!double.IsFinite(scaled.Persistence))
            throw new GarchFitException("GARCH(1,1) QMLE optimiser failed: non-finite estimates.");
        if (scaled.Persistence >= 1)
            throw new GarchFitException(
                $"GARCH(1,1) fit is not stationary: alpha + beta = {scaled.Persistence:G6} >= 1 at the optimum " +
                $"(alpha = {scaled.Alpha:G6}, beta = {scaled.Beta:G6}); the series' variance trends or is integrated, no long-run variance exists.");

        var se = StandardErrors(x, scaled);
        return Build(returns, scaled, scale, GarchFitMethod.Qmle, result.Iterations, result.ReasonForExit.ToString(),
            new GarchStandardErrors(se[0] * scale, se[1] * scale * scale, se[2], se[3]));
    }

    /// <summary>
    /// The method-of-moments heuristic, a fast start for <see cref="Fit"/> and a fallback. With v the sample
    /// variance and ρₖ the lag-k autocorrelation of the squared residuals, GARCH(1,1) implies ρₖ = ρ₁(α+β)^{k−1}
    /// and ρ₁ = α(1 − φ² + αφ)/(1 − φ² + α²) with φ = α+β. So φ = ρ₂/ρ₁ (clamped to [0.5, 0.99]), α solves that
    /// quadratic (clamped to [0.01, min(0.3, φ − 0.01)]), β = φ − α and ω = v(1 − φ). When the squares show no
    /// positive autocorrelation it falls back to φ = 0.9, α = 0.05.
    /// </summary>
    public static GarchFit FitMethodOfMoments(ReadOnlySpan<double> returns)
    {
        var (x, scale) = Standardise(returns);
        return Build(returns, MomentsInScaledUnits(x), scale, GarchFitMethod.MethodOfMoments, 0, "closed form", null);
    }

    /// <summary>Gaussian log-likelihood of <paramref name="returns"/> under <paramref name="p"/>, benchmark start-up rule.</summary>
    public static double LogLikelihood(ReadOnlySpan<double> returns, GarchParameters p) =>
        GarchLikelihood.LogLikelihood(returns, p.Mu, p.Omega, p.Alpha, p.Beta);

    private static GarchFit Build(ReadOnlySpan<double> returns, GarchParameters scaled, double scale,
        GarchFitMethod method, int iterations, string convergence, GarchStandardErrors? se)
    {
        var p = new GarchParameters(scaled.Mu * scale, scaled.Omega * scale * scale, scaled.Alpha, scaled.Beta);
        var (last, next) = GarchLikelihood.FilterEnd(returns, p.Mu, p.Omega, p.Alpha, p.Beta);
        return new GarchFit
        {
            Mu = p.Mu,
            Omega = p.Omega,
            Alpha = p.Alpha,
            Beta = p.Beta,
            StandardErrors = se,
            LogLikelihood = GarchLikelihood.LogLikelihood(returns, p.Mu, p.Omega, p.Alpha, p.Beta),
            N = returns.Length,
            LastVariance = last,
            NextVariance = next,
            Method = method,
            Iterations = iterations,
            Convergence = convergence,
        };
    }

    /// <summary>Validates the sample and divides it by its standard deviation.</summary>
    private static (double[] Scaled, double Scale) Standardise(ReadOnlySpan<double> returns)
    {
        if (returns.Length < MinObservations)
            throw new GarchFitException($"GARCH(1,1) needs at least {MinObservations} returns; got {returns.Length}.");
        for (int i = 0; i < returns.Length; i++)
        {
            if (!double.IsFinite(returns[i]))
                throw new GarchFitException($"GARCH(1,1) needs finite returns; return #{i + 1} is {returns[i]}.");
        }
        var x = returns.ToArray();
        double sd = ArrayStatistics.StandardDeviation(x);
        double mean = ArrayStatistics.Mean(x);
        if (!(sd > 1e-12 * Math.Max(1.0, Math.Abs(mean))))
            throw new GarchFitException($"GARCH(1,1) cannot be fitted to a constant series (all {x.Length} returns equal {x[0]}).");
        for (int i = 0; i < x.Length; i++) x[i] /= sd;
        return (x, sd);
    }

    /// <summary>Method of moments on standardised returns (variance ≈ 1).</summary>
    private static GarchParameters MomentsInScaledUnits(double[] x)
    {
        int n = x.Length;
        double mean = ArrayStatistics.Mean(x);
        var a = new double[n];
        double v = 0;
        for (int t = 0; t < n; t++)
        {
            double e = x[t] - mean;
            a[t] = e * e;
            v += a[t];
        }
        v /= n;
        double c0 = 0, c1 = 0, c2 = 0;
        for (int t = 0; t < n; t++) a[t] -= v;
        for (int t = 0; t < n; t++)
        {
            c0 += a[t] * a[t];
            if (t + 1 < n) c1 += a[t] * a[t + 1];
            if (t + 2 < n) c2 += a[t] * a[t + 2];
        }
        double rho1 = c0 > 0 ? c1 / c0 : 0, rho2 = c0 > 0 ? c2 / c0 : 0;

        double phi, alpha;
        if (rho1 > 0.01 && rho2 > 0)
        {
            phi = Math.Clamp(rho2 / rho1, 0.5, 0.99);
            rho1 = Math.Min(rho1, phi - 1e-3);
            // α²(φ − ρ₁) + α(1 − φ²) − ρ₁(1 − φ²) = 0, positive root.
            double q = 1 - phi * phi, aa = phi - rho1;
            alpha = (-q + Math.Sqrt(q * q + 4 * aa * rho1 * q)) / (2 * aa);
            alpha = Math.Clamp(alpha, 0.01, Math.Min(0.3, phi - 0.01));
        }
        else
        {
            phi = 0.9;
            alpha = 0.05;
        }
        return new GarchParameters(mean, v * (1 - phi), alpha, phi - alpha);
    }

    /// <summary>
    /// Standard errors √diag(H⁻¹), H = −∂²LL/∂θ∂θ', by central differences of the analytic gradient
    /// (step 10⁻⁵ relative). NaN where the inverse has a non-positive diagonal (e.g. an estimate on a bound).
    /// </summary>
    private static double[] StandardErrors(double[] x, GarchParameters p)
    {
        Span<double> theta = [p.Mu, p.Omega, p.Alpha, p.Beta];
        Span<double> gPlus = stackalloc double[4];
        Span<double> gMinus = stackalloc double[4];
        var h = Matrix<double>.Build.Dense(4, 4);
        for (int j = 0; j < 4; j++)
        {
            double step = 1e-5 * Math.Max(Math.Abs(theta[j]), 1e-2);
            double keep = theta[j];
            theta[j] = keep + step;
            GarchLikelihood.LogLikelihood(x, theta, gPlus);
            theta[j] = keep - step;
            GarchLikelihood.LogLikelihood(x, theta, gMinus);
            theta[j] = keep;
            for (int i = 0; i < 4; i++) h[i, j] = -(gPlus[i] - gMinus[i]) / (2 * step);
        }
        h = (h + h.Transpose()) / 2;
        var cov = h.Inverse();
        var se = new double[4];
        for (int i = 0; i < 4; i++) se[i] = cov[i, i] > 0 ? Math.Sqrt(cov[i, i]) : double.NaN;
        return se;
    }
}
