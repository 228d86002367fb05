namespace OpsBot.Risk.Tests;

public class DrawdownTrackerTests
{
    [Fact]
    public void New_peak_then_breach_then_continuing_then_recovery()
    {
        var t = new DrawdownTracker(maxDrawdown: 100m);

        var u = t.Update("alpha", 50m);
        Assert.True(u.IsNewPeak);
        Assert.Equal(DrawdownStatus.Within, u.Status);
        Assert.Equal(0m, u.Drawdown);

        u = t.Update("alpha", 120m);
        Assert.True(u.IsNewPeak);
        Assert.Equal(120m, u.Peak);

        u = t.Update("alpha", 20m); // exactly at the limit: not a breach
        Assert.False(u.IsNewPeak);
        Assert.Equal(100m, u.Drawdown);
        Assert.Equal(DrawdownStatus.Within, u.Status);

        u = t.Update("alpha", 10m);
        Assert.Equal(110m, u.Drawdown);
        Assert.Equal(DrawdownStatus.NewBreach, u.Status);
        Assert.True(u.IsBreach);

        u = t.Update("alpha", -5m);
        Assert.Equal(DrawdownStatus.ContinuingBreach, u.Status);
        Assert.Equal(125m, u.Drawdown);

        u = t.Update("alpha", 60m);
        Assert.Equal(DrawdownStatus.Within, u.Status);

        u = t.Update("alpha", 15m);
        Assert.Equal(DrawdownStatus.NewBreach, u.Status); // a fresh breach after recovery
        Assert.Equal(120m, u.Peak);
    }

    [Fact]
    public void Strategies_are_independent_and_sessions_reset()
    {
        var t = new DrawdownTracker(10m);
        t.Update("a", 100m);
        t.Update("b", 0m);
        Assert.Equal(DrawdownStatus.NewBreach, t.Update("a", 80m).Status);
        Assert.Equal(DrawdownStatus.Within, t.Update("b", -5m).Status);

        t.ResetSession();
        var u = t.Update("a", 80m);
        Assert.True(u.IsNewPeak);
        Assert.Equal(80m, u.Peak);
        Assert.Equal(DrawdownStatus.Within, u.Status);
    }

    [Fact]
    public void Limit_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DrawdownTracker(0m));
}
