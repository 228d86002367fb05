namespace OpsBot.Risk.Tests;

public class PriceBandRuleTests
{
    /// <summary>A model with a fixed σ that records the returns it is fed.</summary>
    private sealed class FixedModel(double sigma, bool ready = true) : IVolatilityModel
    {
        public List<double> Fed { get; } = [];
        public string Name => "fixed";
        public int Count => Fed.Count;
        public bool IsReady => ready;
        public double Variance => sigma * sigma;
        public double Sigma => sigma;
        public void Update(double ret) => Fed.Add(ret);
        public VolatilitySnapshot Snapshot() => throw new NotSupportedException("not persisted in these tests");
    }

    [Fact]
    public void Price_inside_the_band_is_no_breach_and_outside_is_a_breach()
    {
        var model = new FixedModel(0.01);
        var rule = new PriceBandRule(_ => model, multiplier: 2);

        Assert.False(rule.Observe("BTC-USD", 100, out _)); // first price: no band yet
        Assert.True(rule.TryGetBand("BTC-USD", out var band));
        Assert.Equal(98, band.Lower, 1e-12);               // 100 ± 2·0.01·100
        Assert.Equal(102, band.Upper, 1e-12);

        Assert.False(rule.Observe("BTC-USD", 101.9, out _));
        Assert.True(rule.Observe("BTC-USD", 104.0, out var breach)); // band of 101.9: [99.862, 103.938]
        Assert.Equal("BTC-USD", breach.Symbol);
        Assert.Equal(104.0, breach.Price);
        Assert.Equal(101.9, breach.PreviousPrice);
        Assert.Equal(101.9 - 2 * 0.01 * 101.9, breach.Lower, 1e-12);
        Assert.Equal(101.9 + 2 * 0.01 * 101.9, breach.Upper, 1e-12);
        Assert.Equal("fixed", breach.Model);
        Assert.Equal(0.01, breach.Sigma);
        Assert.True(breach.IsAbove);

        // Every move, the breach included, reached the model as a simple return.
        Assert.Equal([101.9 / 100 - 1, 104.0 / 101.9 - 1], model.Fed);
    }

    [Fact]
    public void Breach_below_and_exact_edge()
    {
        var rule = new PriceBandRule(_ => new FixedModel(0.05), multiplier: 2); // ±10 %
        rule.Observe("ETH-USD", 100, out _);
        Assert.False(rule.Observe("ETH-USD", 90, out _));   // on the lower edge: inside
        Assert.True(rule.Observe("ETH-USD", 80.9, out var b)); // band of 90: [81, 99]
        Assert.False(b.IsAbove);
        Assert.Equal(81, b.Lower, 1e-12);
    }

    [Fact]
    public void No_band_until_the_model_is_ready()
    {
        var rule = new PriceBandRule(_ => new FixedModel(0.01, ready: false), multiplier: 1);
        rule.Observe("X", 100, out _);
        Assert.False(rule.Observe("X", 1_000, out _));
        Assert.False(rule.TryGetBand("X", out _));
    }

    [Fact]
    public void Symbols_have_their_own_state_and_multipliers()
    {
        var rule = new PriceBandRule(_ => new FixedModel(0.01), multiplier: 2, new Dictionary<string, double> { ["B"] = 5 });
        rule.Observe("A", 100, out _);
        rule.Observe("B", 10, out _);
        Assert.True(rule.Observe("A", 103, out _));   // outside ±2 %
        Assert.False(rule.Observe("B", 10.3, out _)); // inside ±5 %
        Assert.Equal(2, rule.Symbols.Count);
        Assert.NotSame(rule.GetModel("A"), rule.GetModel("B"));
    }

    [Fact]
    public void Works_with_a_real_model_from_the_factory()
    {
        var rule = new PriceBandRule("std", new VolatilityOptions { StdWindow = 5 }, multiplier: 3);
        double[] prices = [100, 101, 100, 101, 100, 101]; // ±1 % moves
        foreach (double p in prices) Assert.False(rule.Observe("S", p, out _));
        Assert.True(rule.Observe("S", 110, out var b));
        Assert.Equal("std", b.Model);
        Assert.True(b.Sigma > 0.009 && b.Sigma < 0.012, $"sigma {b.Sigma}");
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new PriceBandRule("bogus", new VolatilityOptions(), 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PriceBandRule(_ => new FixedModel(0.01), 0));
        var rule = new PriceBandRule(_ => new FixedModel(0.01), 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => rule.Observe("S", 0, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => rule.Observe("S", double.NaN, out _));
    }

    [Fact]
    public void Observe_allocates_nothing_for_a_known_symbol()
    {
        var rule = new PriceBandRule("ewma", new VolatilityOptions(), 3);
        var r = TestData.Normal(5_000, 0, 0.001, seed: 21);
        double price = 100;
        foreach (double x in r) rule.Observe("BTC-USD", price *= 1 + x, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int breaches = 0;
        foreach (double x in r) breaches += rule.Observe("BTC-USD", price *= 1 + x, out _) ? 1 : 0;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
