namespace OpsBot.Risk.Tests;

/// <summary>
/// The published GARCH(1,1) accuracy benchmark on the Deutschmark/British pound returns
/// (Fiorentini, Calzolari &amp; Panattoni 1996; McCullough &amp; Renfro 1998), see data/garch/README.md.
/// </summary>
public class GarchBenchmarkTests
{
    private static readonly Lazy<GarchFit> Fit = new(() => Garch11Estimator.Fit(TestData.Dmbp));

    [Fact]
    public void Sample_is_the_benchmark_series()
    {
        var log = EventLogReader.Read(TestData.DmbpPath);
        Assert.Equal("DEM2GBP", log.Series[0].Name);
        Assert.Equal(1974, log.Series[0].Returns.Length);
    }

    [Fact]
    public void Qmle_reproduces_the_published_estimates_to_five_significant_digits()
    {
        var f = Fit.Value;
        AssertSignificant(-0.00619041, f.Mu, 5);
        AssertSignificant(0.0107613, f.Omega, 5);
        AssertSignificant(0.153134, f.Alpha, 5);
        AssertSignificant(0.805974, f.Beta, 5);
        Assert.Equal(GarchFitMethod.Qmle, f.Method);
        Assert.Equal(1974, f.N);
    }

    [Fact]
    public void Log_likelihood_matches_within_a_thousandth()
    {
        Assert.InRange(Fit.Value.LogLikelihood, -1106.6079 - 0.001, -1106.6079 + 0.001);
        // Evaluating the likelihood at the published point gives the published optimum, too.
        double atPublished = Garch11Estimator.LogLikelihood(TestData.Dmbp, new GarchParameters(-0.00619041, 0.0107613, 0.153134, 0.805974));
        Assert.InRange(atPublished, -1106.607881 - 1e-5, -1106.607881 + 1e-5);
    }

    [Fact]
    public void Standard_errors_match_the_published_inverse_hessian_within_one_percent()
    {
        var se = Fit.Value.StandardErrors!;
        AssertRelative(0.00846212, se.Mu, 0.01);
        AssertRelative(0.00285271, se.Omega, 0.01);
        AssertRelative(0.0265228, se.Alpha, 0.01);
        AssertRelative(0.0335527, se.Beta, 0.01);
    }

    [Fact]
    public void Persistence_long_run_variance_and_forecasts_match()
    {
        var f = Fit.Value;
        Assert.Equal(0.959108, f.Persistence, 5e-6);
        Assert.Equal(0.263165, f.LongRunVariance, 5e-6);
        Assert.Equal(0.146993, f.Forecast(1), 2e-6);
        Assert.Equal(0.183382, f.Forecast(10), 2e-6);
        Assert.Equal(f.NextVariance, f.Forecast(1));
    }

    private static void AssertSignificant(double expected, double actual, int digits)
    {
        double tolerance = 0.5 * Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(expected))) - digits + 1);
        Assert.True(Math.Abs(actual - expected) <= tolerance,
            $"expected {expected} to {digits} significant digits (±{tolerance:G3}), got {actual:G9}");
    }

    private static void AssertRelative(double expected, double actual, double relative) =>
        Assert.True(Math.Abs(actual / expected - 1) <= relative, $"expected {expected} within {relative:P1}, got {actual:G9}");
}
