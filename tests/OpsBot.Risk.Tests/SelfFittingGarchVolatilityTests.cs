namespace OpsBot.Risk.Tests;

public sealed class SelfFittingGarchVolatilityTests
{
    private static double[] SimulateGarch(int n, double omega, double alpha, double beta, int seed)
    {
        var random = new Random(seed);
        var returns = new double[n];
        var h = omega / (1 - alpha - beta);
        for (var i = 0; i < n; i++)
        {
            // Box-Muller normal draw
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            returns[i] = Math.Sqrt(h) * z;
            h = omega + alpha * returns[i] * returns[i] + beta * h;
        }
        return returns;
    }

    [Fact]
    public void Uses_ewma_until_the_window_is_full_then_the_fitted_garch_filter()
    {
        var returns = SimulateGarch(1200, 0.05, 0.10, 0.85, seed: 7);
        var model = new SelfFittingGarchVolatility(fitWindow: 500);
        var ewma = new EwmaVolatility();
        for (var i = 0; i < 499; i++) { model.Update(returns[i]); ewma.Update(returns[i]); }
        Assert.Null(model.Parameters);
        Assert.Equal(ewma.Variance, model.Variance, 12);

        model.Update(returns[499]);
        var fitted = model.Parameters;
        Assert.NotNull(fitted);
        var expected = GarchVolatility.FromFit(Garch11Estimator.Fit(returns.AsSpan(0, 500)));
        Assert.Equal(expected.Variance, model.Variance, 12);

        expected.Update(returns[500]);
        model.Update(returns[500]);
        Assert.Equal(expected.Variance, model.Variance, 12);
        Assert.InRange(fitted!.Value.Alpha + fitted.Value.Beta, 0.5, 0.999);
    }

    [Fact]
    public void A_fit_the_data_cannot_support_keeps_the_ewma_estimate_and_says_why()
    {
        var model = new SelfFittingGarchVolatility(fitWindow: 100);
        for (var i = 0; i < 100; i++) model.Update(0.001); // constant series: no GARCH fit
        Assert.Null(model.Parameters);
        Assert.False(string.IsNullOrEmpty(model.LastFitError));
        Assert.True(model.IsReady);
    }
}
