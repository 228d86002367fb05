using System.Text.Json;

namespace OpsBot.Risk.Tests;

/// <summary>
/// Every volatility model's state survives a snapshot → JSON → restore round trip exactly: the restored model gives
/// bit-for-bit the same sigma as the original on every following return (risk-evaluator keeps these snapshots in
/// Redis, so a restart must not change a band).
/// </summary>
public class VolatilitySnapshotTests
{
    public static TheoryData<string, int> Cases => new()
    {
        { "std", 0 }, { "std", 3 }, { "std", 1000 },        // empty, filling, past several exact refreshes
        { "ewma", 0 }, { "ewma", 5 }, { "ewma", 400 },       // before the first return (NaN variance), warming up, ready
        { "atr", 0 }, { "atr", 2 }, { "atr", 1000 },
        { "garch", 0 }, { "garch", 300 },
        { "garch-fit", 0 }, { "garch-fit", 50 }, { "garch-fit", 150 }, { "garch-fit", 260 }, // EWMA stand-in, first fit, refit
    };

    private static IVolatilityModel Create(string kind) => kind switch
    {
        "std" => new RollingStdVolatility(5),
        "ewma" => new EwmaVolatility(0.94, 10),
        "atr" => new AtrVolatility(4),
        "garch" => new GarchVolatility(new GarchParameters(0.0001, 1e-6, 0.08, 0.9)),
        _ => new SelfFittingGarchVolatility(Garch11Estimator.MinObservations),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_restored_model_gives_exactly_the_same_sigma_on_the_following_returns(string kind, int before)
    {
        var returns = TestData.Garch(before + 400, new GarchParameters(0, 2e-6, 0.1, 0.85), 31);
        var original = Create(kind);
        for (var i = 0; i < before; i++) original.Update(returns[i]);

        var json = JsonSerializer.Serialize(original.Snapshot(), VolatilitySnapshot.JsonOptions);
        var restored = VolatilityModelFactory.Restore(JsonSerializer.Deserialize<VolatilitySnapshot>(json, VolatilitySnapshot.JsonOptions)!);

        Assert.Equal(original.GetType(), restored.GetType());
        Assert.Equal(original.ToString(), restored.ToString());
        Assert.Equal(original.Count, restored.Count);
        Assert.Equal(original.IsReady, restored.IsReady);
        for (var i = before; i < returns.Length; i++)
        {
            original.Update(returns[i]);
            restored.Update(returns[i]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(original.Sigma), BitConverter.DoubleToInt64Bits(restored.Sigma));
            Assert.Equal(original.IsReady, restored.IsReady);
        }
    }

    [Fact]
    public void A_snapshot_is_a_copy_not_a_view_of_the_live_buffers()
    {
        var model = new RollingStdVolatility(3);
        model.Update(0.01);
        var snapshot = (StdSnapshot)model.Snapshot();
        model.Update(0.02);
        Assert.Equal(0.0, snapshot.Buffer[1]);
    }

    [Fact]
    public void An_impossible_snapshot_is_refused_with_a_clear_error()
    {
        var bad = new StdSnapshot(3, [0.1, 0.2, 0.3], Next: 7, Filled: 3, SinceRefresh: 0, Mean: 0.2, M2: 0.02);
        var e = Assert.Throws<InvalidVolatilitySnapshotException>(() => VolatilityModelFactory.Restore(bad));
        Assert.Contains("next index 7", e.Message);
        Assert.Throws<InvalidVolatilitySnapshotException>(() => VolatilityModelFactory.Restore(new EwmaSnapshot(1, 1.5, 10, null, 0.1)));
    }
}
