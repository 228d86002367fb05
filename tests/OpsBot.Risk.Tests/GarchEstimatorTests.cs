namespace OpsBot.Risk.Tests;

public class GarchEstimatorTests
{
    private static readonly GarchParameters True = new(Mu: 0.02, Omega: 0.05, Alpha: 0.10, Beta: 0.85);

    /// <summary>The Gaussian log-likelihood written straight from its definition, with the benchmark start-up.</summary>
    private static double NaiveLogLikelihood(double[] r, GarchParameters p)
    {
        var e = r.Select(x => x - p.Mu).ToArray();
        double h0 = e.Select(x => x * x).Average();
        var h = new double[r.Length];
        h[0] = p.Omega + p.Alpha * h0 + p.Beta * h0; // e₀² = h₀ = mean(e²)
        for (int t = 1; t < r.Length; t++) h[t] = p.Omega + p.Alpha * e[t - 1] * e[t - 1] + p.Beta * h[t - 1];
        return Enumerable.Range(0, r.Length).Sum(t => -0.5 * (Math.Log(2 * Math.PI) + Math.Log(h[t]) + e[t] * e[t] / h[t]));
    }

    [Fact]
    public void Log_likelihood_matches_the_definition()
    {
        var r = TestData.Garch(300, True, seed: 1);
        var p = new GarchParameters(0.01, 0.07, 0.2, 0.7);
        Assert.Equal(NaiveLogLikelihood(r, p), Garch11Estimator.LogLikelihood(r, p), 1e-9);
    }

    [Fact]
    public void Analytic_gradient_matches_finite_differences()
    {
        var r = TestData.Garch(500, True, seed: 2);
        double[] theta = [0.03, 0.06, 0.12, 0.8];
        var g = new double[4];
        GarchLikelihood.LogLikelihood(r, theta, g);
        for (int j = 0; j < 4; j++)
        {
            double step = 1e-6;
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[j] += step;
            minus[j] -= step;
            double numeric = (Ll(r, plus) - Ll(r, minus)) / (2 * step);
            Assert.True(Math.Abs(numeric - g[j]) <= 1e-5 * Math.Max(1, Math.Abs(numeric)), $"d/dθ{j}: analytic {g[j]}, numeric {numeric}");
        }

        static double Ll(double[] r, double[] t) => Garch11Estimator.LogLikelihood(r, new GarchParameters(t[0], t[1], t[2], t[3]));
    }

    [Fact]
    public void Recovers_simulated_parameters_within_four_standard_errors()
    {
        var fit = Garch11Estimator.Fit(TestData.Garch(10_000, True, seed: 3));
        var se = fit.StandardErrors!;
        Assert.InRange(fit.Mu, True.Mu - 4 * se.Mu, True.Mu + 4 * se.Mu);
        Assert.InRange(fit.Omega, True.Omega - 4 * se.Omega, True.Omega + 4 * se.Omega);
        Assert.InRange(fit.Alpha, True.Alpha - 4 * se.Alpha, True.Alpha + 4 * se.Alpha);
        Assert.InRange(fit.Beta, True.Beta - 4 * se.Beta, True.Beta + 4 * se.Beta);
        Assert.True(se.Alpha < 0.05 && se.Beta < 0.05, $"standard errors too wide: {se}");
    }

    [Fact]
    public void Fit_is_invariant_to_the_scale_of_the_returns()
    {
        var r = TestData.Dmbp;
        var small = r.Select(x => x / 10_000).ToArray(); // tick-sized returns
        var a = Garch11Estimator.Fit(r);
        var b = Garch11Estimator.Fit(small);
        Assert.Equal(a.Alpha, b.Alpha, 1e-6);
        Assert.Equal(a.Beta, b.Beta, 1e-6);
        Assert.Equal(a.Omega / 1e8, b.Omega, 1e-6 * a.Omega / 1e8);
        Assert.Equal(a.LogLikelihood + r.Length * Math.Log(10_000), b.LogLikelihood, 1e-6);
    }

    [Fact]
    public void Forecasts_follow_the_expectation_recursion()
    {
        var fit = Garch11Estimator.Fit(TestData.Garch(2_000, True, seed: 4));
        // E[h_{T+k+1}] = ω + (α+β)·E[h_{T+k}], starting from h_{T+1}.
        double h = fit.NextVariance;
        for (int k = 1; k <= 30; k++)
        {
            Assert.Equal(h, fit.Forecast(k), 1e-12);
            h = fit.Omega + fit.Persistence * h;
        }
        Assert.Equal(fit.LongRunVariance, fit.Forecast(5_000), 1e-9);
        Assert.Equal(10, fit.Forecasts(10).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => fit.Forecast(0));
    }

    [Fact]
    public void Next_variance_continues_the_in_sample_filter()
    {
        var r = TestData.Garch(400, True, seed: 5);
        var fit = Garch11Estimator.Fit(r);
        // Independent filter from the definition: h₁ = ω + (α+β)·mean(e²), hₜ₊₁ = ω + α eₜ² + β hₜ.
        double h = fit.Omega + fit.Persistence * r.Select(x => (x - fit.Mu) * (x - fit.Mu)).Average();
        var model = new GarchVolatility(fit.Parameters, h);
        double last = h;
        foreach (double x in r)
        {
            last = model.Variance;
            model.Update(x);
        }
        Assert.Equal(fit.LastVariance, last, 1e-12);
        Assert.Equal(fit.NextVariance, model.Variance, 1e-12);
    }

    [Fact]
    public void Method_of_moments_gives_a_stationary_start_near_the_truth()
    {
        var fit = Garch11Estimator.FitMethodOfMoments(TestData.Garch(20_000, True, seed: 6));
        Assert.Equal(GarchFitMethod.MethodOfMoments, fit.Method);
        Assert.Null(fit.StandardErrors);
        Assert.True(fit.Persistence < 1 && fit.Alpha > 0 && fit.Beta > 0 && fit.Omega > 0, fit.ToString());
        Assert.InRange(fit.Persistence, 0.85, 0.99);
        Assert.InRange(fit.LongRunVariance, 0.5 * True.LongRunVariance, 1.5 * True.LongRunVariance);
        // QMLE improves on its starting point.
        var mle = Garch11Estimator.Fit(TestData.Garch(20_000, True, seed: 6));
        Assert.True(mle.LogLikelihood > fit.LogLikelihood);
    }

    [Fact]
    public void Too_short_series_is_rejected_with_the_minimum()
    {
        var ex = Assert.Throws<GarchFitException>(() => Garch11Estimator.Fit(TestData.Normal(99, 0, 1, seed: 7)));
        Assert.Contains("at least 100", ex.Message);
        Assert.Contains("got 99", ex.Message);
    }

    [Fact]
    public void Constant_series_is_rejected()
    {
        var ex = Assert.Throws<GarchFitException>(() => Garch11Estimator.Fit(Enumerable.Repeat(0.5, 500).ToArray()));
        Assert.Contains("constant", ex.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_values_are_rejected_with_their_position(double bad)
    {
        var r = TestData.Normal(300, 0, 1, seed: 8);
        r[41] = bad;
        var ex = Assert.Throws<GarchFitException>(() => Garch11Estimator.Fit(r));
        Assert.Contains("#42", ex.Message);
    }

    [Fact]
    public void Explosive_series_is_rejected_as_non_stationary()
    {
        // Volatility that grows 1 % a step for ever: the likelihood wants α + β above 1.
        var z = TestData.Normal(800, 0, 1, seed: 9);
        var r = z.Select((x, t) => x * Math.Pow(1.01, t)).ToArray();
        var ex = Assert.Throws<GarchFitException>(() => Garch11Estimator.Fit(r));
        Assert.Contains("alpha + beta", ex.Message);
        Assert.Contains(">= 1", ex.Message);
    }

    [Fact]
    public void Optimiser_failure_is_reported()
    {
        var ex = Assert.Throws<GarchFitException>(() => Garch11Estimator.Fit(TestData.Dmbp, maxIterations: 1));
        Assert.Contains("optimiser failed", ex.Message);
    }
}
