namespace OpsBot.Risk;

/// <summary>
/// Gaussian log-likelihood of a constant-mean GARCH(1,1) and its analytic gradient, with the benchmark's
/// start-up rule: h₀ = e₀² = mean of the squared residuals at the current mu, so h₁ = ω + (α+β)·mean(e²).
/// Parameter order everywhere: (mu, omega, alpha, beta).
/// </summary>
internal static class GarchLikelihood
{
    /// <summary>0.5·ln(2π), the constant the benchmark's log-likelihood includes.</summary>
    public const double HalfLogTwoPi = 0.91893853320467274178;

    /// <summary>Log-likelihood of <paramref name="r"/> at the given parameters.</summary>
    public static double LogLikelihood(ReadOnlySpan<double> r, double mu, double omega, double alpha, double beta)
    {
        double h = StartVariance(r, mu, omega, alpha + beta);
        double sum = 0;
        for (int t = 0; t < r.Length; t++)
        {
            double e = r[t] - mu;
            sum += Math.Log(h) + e * e / h;
            h = omega + alpha * e * e + beta * h;
        }
        return -0.5 * sum - r.Length * HalfLogTwoPi;
    }

    /// <summary>
    /// Log-likelihood and its gradient with respect to (mu, omega, alpha, beta), written to <paramref name="gradient"/>.
    /// The derivatives of hₜ follow the recursion of hₜ itself, including the start-up term's dependence on mu.
    /// </summary>
    public static double LogLikelihood(ReadOnlySpan<double> r, ReadOnlySpan<double> theta, Span<double> gradient)
    {
        double mu = theta[0], omega = theta[1], alpha = theta[2], beta = theta[3];
        int n = r.Length;
        double sumE = 0, sumE2 = 0;
        for (int t = 0; t < n; t++)
        {
            double e = r[t] - mu;
            sumE += e;
            sumE2 += e * e;
        }
        double s = sumE2 / n;
        double h = omega + (alpha + beta) * s;
        // dh/dθ for h₁.
        double dMu = (alpha + beta) * (-2.0 * sumE / n), dOmega = 1.0, dAlpha = s, dBeta = s;
        double sum = 0, gMu = 0, gOmega = 0, gAlpha = 0, gBeta = 0;
        for (int t = 0; t < n; t++)
        {
            double e = r[t] - mu;
            double e2 = e * e;
            double q = e2 / h;
            sum += Math.Log(h) + q;
            // ∂lₜ/∂θ = −½(1 − e²/h)/h · ∂h/∂θ, plus e/h for mu through eₜ itself.
            double w = -0.5 * (1.0 - q) / h;
            gMu += w * dMu + e / h;
            gOmega += w * dOmega;
            gAlpha += w * dAlpha;
            gBeta += w * dBeta;
            // hₜ₊₁ = ω + α eₜ² + β hₜ and its derivatives (β-terms use the current values).
            dMu = -2.0 * alpha * e + beta * dMu;
            dOmega = 1.0 + beta * dOmega;
            dAlpha = e2 + beta * dAlpha;
            dBeta = h + beta * dBeta;
            h = omega + alpha * e2 + beta * h;
        }
        gradient[0] = gMu;
        gradient[1] = gOmega;
        gradient[2] = gAlpha;
        gradient[3] = gBeta;
        return -0.5 * sum - n * HalfLogTwoPi;
    }

    /// <summary>h₁ = ω + (α+β)·mean((r − mu)²).</summary>
    public static double StartVariance(ReadOnlySpan<double> r, double mu, double omega, double persistence)
    {
        double s = 0;
        for (int t = 0; t < r.Length; t++)
        {
            double e = r[t] - mu;
            s += e * e;
        }
        return omega + persistence * (s / r.Length);
    }

    /// <summary>Runs the variance filter over the sample; returns h_T (last in-sample) and h_{T+1} (first forecast).</summary>
    public static (double Last, double Next) FilterEnd(ReadOnlySpan<double> r, double mu, double omega, double alpha, double beta)
    {
        double h = StartVariance(r, mu, omega, alpha + beta);
        double last = h;
        for (int t = 0; t < r.Length; t++)
        {
            double e = r[t] - mu;
            last = h;
            h = omega + alpha * e * e + beta * h;
        }
        return (last, h);
    }
}
