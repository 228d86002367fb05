namespace OpsBot.Risk.Tests;

public class VolatilityModelTests
{
    [Fact]
    public void Rolling_std_by_hand()
    {
        var m = new RollingStdVolatility(3);
        m.Update(1);
        Assert.True(double.IsNaN(m.Sigma));
        m.Update(2);
        Assert.Equal(0.5, m.Variance, 1e-15);      // {1,2}
        Assert.False(m.IsReady);
        m.Update(3);
        Assert.Equal(1.0, m.Variance, 1e-15);      // {1,2,3}
        Assert.True(m.IsReady);
        m.Update(7);
        Assert.Equal(7.0, m.Variance, 1e-14);      // {2,3,7}: mean 4, (4 + 1 + 9) / 2
    }

    [Fact]
    public void Rolling_std_equals_two_pass_over_each_window()
    {
        var r = TestData.Normal(500, 0.001, 0.02, seed: 11);
        var m = new RollingStdVolatility(7);
        for (int t = 0; t < r.Length; t++)
        {
            m.Update(r[t]);
            if (t == 0) continue;
            int from = Math.Max(0, t - 6);
            Assert.Equal(TestData.TwoPassStd(r.AsSpan(from, t - from + 1)), m.Sigma, 1e-12);
        }
        Assert.Equal(500, m.Count);
    }

    [Fact]
    public void Rolling_std_is_stable_on_large_offset_data_over_many_updates()
    {
        // Prices near 1e9 with unit noise: Σx² − (Σx)²/n loses every digit here; deviations do not.
        var r = TestData.Normal(300_000, 1e9, 1.0, seed: 12);
        var m = new RollingStdVolatility(50);
        foreach (double x in r) m.Update(x);
        double reference = TestData.TwoPassStd(r.AsSpan(r.Length - 50));
        Assert.Equal(reference, m.Sigma, 1e-6 * reference);
    }

    [Fact]
    public void Ewma_by_hand_and_documented_initialisation()
    {
        var m = new EwmaVolatility(lambda: 0.9, warmUp: 3);
        m.Update(0.01);
        Assert.Equal(1e-4, m.Variance, 1e-18);                       // seeded with r₁²
        m.Update(-0.02);
        Assert.Equal(0.9 * 1e-4 + 0.1 * 4e-4, m.Variance, 1e-18);    // 1.3e-4
        Assert.False(m.IsReady);
        m.Update(0.03);
        Assert.Equal(0.9 * 1.3e-4 + 0.1 * 9e-4, m.Variance, 1e-18);  // 2.07e-4
        Assert.True(m.IsReady);
        Assert.Equal(Math.Sqrt(2.07e-4), m.Sigma, 1e-15);
    }

    [Fact]
    public void Ewma_incremental_equals_the_closed_form_weighted_sum()
    {
        const double lambda = 0.94;
        var r = TestData.Normal(300, 0, 0.01, seed: 13);
        var m = new EwmaVolatility(lambda, initialVariance: 2e-4);
        foreach (double x in r) m.Update(x);
        // σ²ₙ₊₁ = λⁿ σ²₁ + (1 − λ) Σᵢ λⁿ⁻ⁱ rᵢ²
        int n = r.Length;
        double batch = Math.Pow(lambda, n) * 2e-4 + (1 - lambda) * Enumerable.Range(1, n).Sum(i => Math.Pow(lambda, n - i) * r[i - 1] * r[i - 1]);
        Assert.Equal(batch, m.Variance, 1e-15);
    }

    [Fact]
    public void Atr_by_hand()
    {
        var m = new AtrVolatility(3);
        m.Update(0.01);
        m.Update(-0.02);
        Assert.Equal(0.015, m.Sigma, 1e-15);
        Assert.False(m.IsReady);
        m.Update(0.03);
        m.Update(-0.04);
        Assert.Equal(0.03, m.Sigma, 1e-15); // (0.02 + 0.03 + 0.04) / 3
        Assert.True(m.IsReady);
        Assert.Equal(0.03 * 0.03, m.Variance, 1e-15);
    }

    [Fact]
    public void Atr_equals_the_mean_absolute_return_of_each_window_over_many_updates()
    {
        var r = TestData.Normal(50_000, 0, 0.01, seed: 14);
        var m = new AtrVolatility(14);
        for (int t = 0; t < r.Length; t++)
        {
            m.Update(r[t]);
            if (t % 997 != 0 && t != r.Length - 1) continue;
            int from = Math.Max(0, t - 13);
            double reference = r.AsSpan(from, t - from + 1).ToArray().Average(Math.Abs);
            Assert.Equal(reference, m.Sigma, 1e-14);
        }
    }

    [Fact]
    public void Garch_filter_by_hand()
    {
        var p = new GarchParameters(Mu: 0.1, Omega: 0.2, Alpha: 0.1, Beta: 0.8);
        var m = new GarchVolatility(p, initialVariance: 1.0);
        m.Update(0.5); // e = 0.4
        Assert.Equal(0.2 + 0.1 * 0.16 + 0.8 * 1.0, m.Variance, 1e-15);
        m.Update(-0.9); // e = −1
        Assert.Equal(0.2 + 0.1 * 1.0 + 0.8 * 1.016, m.Variance, 1e-15);
        Assert.True(m.IsReady);
        // Without an initial variance the filter starts at ω/(1 − α − β) = 2.
        Assert.Equal(2.0, new GarchVolatility(p).Variance, 1e-15);
        // k-step forecast: σ̄² + (α+β)^{k−1}(h − σ̄²)
        Assert.Equal(2.0 + Math.Pow(0.9, 4) * (m.Variance - 2.0), m.Forecast(5), 1e-15);
    }

    [Fact]
    public void Garch_filter_rejects_non_stationary_parameters_without_a_start()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GarchVolatility(new GarchParameters(0, 0.1, 0.3, 0.75)));
        Assert.Contains(">= 1", ex.Message);
        Assert.Throws<ArgumentException>(() => new GarchVolatility(new GarchParameters(0, -0.1, 0.1, 0.8)));
    }

    public static TheoryData<string> Methods => ["std", "ewma", "atr", "garch"];

    [Theory]
    [MemberData(nameof(Methods))]
    public void Update_allocates_nothing(string method)
    {
        var model = VolatilityModelFactory.Create(method, Options);
        var r = TestData.Normal(10_000, 0, 0.01, seed: 15);
        foreach (double x in r) model.Update(x); // warm up (JIT, buffers full)
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (double x in r) model.Update(x);
        _ = model.Sigma;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Update_rejects_non_finite_returns(string method)
    {
        var model = VolatilityModelFactory.Create(method, Options);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Update(double.NaN));
        Assert.Equal(0, model.Count);
    }

    private static readonly VolatilityOptions Options = new() { Garch = new GarchParameters(0, 1e-6, 0.1, 0.85) };

    [Theory]
    [InlineData("std", typeof(RollingStdVolatility))]
    [InlineData(" EWMA ", typeof(EwmaVolatility))]
    [InlineData("atr", typeof(AtrVolatility))]
    [InlineData("Garch", typeof(GarchVolatility))]
    public void Factory_builds_each_method(string method, Type expected)
    {
        var m = VolatilityModelFactory.Create(method, Options with { StdWindow = 30, AtrWindow = 7, EwmaLambda = 0.97 });
        Assert.IsType(expected, m);
        Assert.Equal(method.Trim().ToLowerInvariant(), m.Name);
        switch (m)
        {
            case RollingStdVolatility s: Assert.Equal(30, s.Window); break;
            case AtrVolatility a: Assert.Equal(7, a.Window); break;
            case EwmaVolatility e: Assert.Equal(0.97, e.Lambda); break;
        }
    }

    [Theory]
    [InlineData("garchh")]
    [InlineData("")]
    [InlineData(null)]
    public void Factory_names_the_bad_method(string? method)
    {
        var ex = Assert.Throws<ArgumentException>(() => VolatilityModelFactory.Create(method, Options));
        Assert.Contains($"'{method}'", ex.Message);
        Assert.Contains("std, ewma, atr, garch", ex.Message);
    }

    [Fact]
    public void Factory_needs_parameters_for_garch()
    {
        var ex = Assert.Throws<ArgumentException>(() => VolatilityModelFactory.Create("garch"));
        Assert.Contains("needs GARCH parameters", ex.Message);
    }
}
