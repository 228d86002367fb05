namespace OpsBot.Risk.Tests;

public class CalibrationTests
{
    [Theory]
    [InlineData(0.97)]
    [InlineData(0.85)]
    public void Picks_lambda_near_the_one_that_generated_the_series(double lambda)
    {
        var r = TestData.Ewma(8_000, lambda, 1e-4, seed: 31);
        var c = VolatilityCalibrator.Calibrate("SIM", r);
        Assert.InRange(c.EwmaLambda, lambda - 0.03, lambda + 0.02);
        // The pick is the grid's least loss.
        Assert.Equal(c.LambdaLosses.Min(g => g.QLike), c.EwmaQLike);
    }

    [Fact]
    public void Constant_volatility_prefers_long_memory()
    {
        var c = VolatilityCalibrator.Calibrate("IID", TestData.Normal(20_000, 0, 0.01, seed: 32));
        Assert.True(c.EwmaLambda >= 0.98, $"lambda {c.EwmaLambda}");
        Assert.Equal(100, c.AtrWindow);
    }

    [Fact]
    public void Garch_series_gets_a_garch_fit_and_ewma_beats_a_short_rolling_window()
    {
        var p = new GarchParameters(0, 1e-6, 0.08, 0.9);
        var c = VolatilityCalibrator.Calibrate("G", TestData.Garch(5_000, p, seed: 33));
        Assert.NotNull(c.Garch);
        Assert.Null(c.GarchError);
        Assert.InRange(c.Garch!.Persistence, 0.94, 0.995);
        Assert.True(c.EwmaQLike < c.StdQLike, $"ewma {c.EwmaQLike} vs std {c.StdQLike}");
        Assert.InRange(c.EwmaLambda, 0.90, 0.99);
    }

    [Fact]
    public void Band_multipliers_hit_the_target_rate_out_of_sample()
    {
        // Calibrate on the first half, then run the band rule on prices built from the second half.
        var r = TestData.Garch(40_000, new GarchParameters(0, 2e-6, 0.06, 0.92), seed: 34);
        var c = VolatilityCalibrator.Calibrate("BTC-USD", r[..20_000], new CalibrationOptions { TargetBreachRate = 0.01 });
        foreach (var band in c.Bands)
        {
            Assert.InRange(band.BreachRate, 0.008, 0.012); // in sample, by construction
            var options = new VolatilityOptions { EwmaLambda = c.EwmaLambda, AtrWindow = c.AtrWindow, StdWindow = c.StdWindow, Garch = c.Garch!.Parameters };
            var rule = new PriceBandRule(band.Model, options, band.Multiplier);
            double price = 100;
            rule.Observe("BTC-USD", price, out _);
            int breaches = 0, checks = 0;
            foreach (double x in r[20_000..])
            {
                checks += rule.TryGetBand("BTC-USD", out _) ? 1 : 0;
                breaches += rule.Observe("BTC-USD", price *= 1 + x, out _) ? 1 : 0;
            }
            double rate = (double)breaches / checks;
            Assert.True(rate is > 0.005 and < 0.018, $"{band.Model}: k = {band.Multiplier:F3}, out-of-sample breach rate {rate:P2}");
        }
        // ATR measures E|r| ≈ 0.8σ, so its multiplier must be the widest.
        Assert.True(c.Bands.Single(b => b.Model == "atr").Multiplier > c.Bands.Single(b => b.Model == "std").Multiplier);
    }

    [Fact]
    public void Qlike_is_least_at_the_true_variance()
    {
        // E[QLIKE] = ln h + σ²/h is minimised at h = σ².
        var r = TestData.Normal(50_000, 0, 0.02, seed: 35);
        double Loss(double h) => r.Average(x => VolatilityCalibrator.QLike(x, h));
        Assert.True(Loss(4e-4) < Loss(3e-4));
        Assert.True(Loss(4e-4) < Loss(5e-4));
    }

    [Fact]
    public void Too_few_or_constant_returns_are_rejected_with_the_symbol()
    {
        var ex = Assert.Throws<CalibrationException>(() => VolatilityCalibrator.Calibrate("ETH-USD", TestData.Normal(120, 0, 0.01, seed: 36)));
        Assert.Contains("ETH-USD", ex.Message);
        Assert.Contains("at least 150", ex.Message);
        ex = Assert.Throws<CalibrationException>(() => VolatilityCalibrator.Calibrate("FLAT", new double[500]));
        Assert.Contains("all 500 returns are equal", ex.Message);
    }
}
