using OpsBot.Contracts;
using OpsBot.PnlIngest;

namespace OpsBot.PnlIngest.Tests;

public sealed class ConflatingPnlBufferTests
{
    private static PnlUpdatedV2 Update(string strategy, decimal realized) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Account = "acct",
        Strategy = strategy,
        Realized = realized,
        Unrealized = 0,
        Currency = "USD",
        AsOf = DateTimeOffset.UtcNow,
    };

    [Fact]
    public void A_newer_update_replaces_the_waiting_one_in_place()
    {
        using var metrics = new PnlIngestMetrics();
        var buffer = new ConflatingPnlBuffer(10, metrics);
        buffer.Offer(Update("a", 1));
        buffer.Offer(Update("b", 1));
        buffer.Offer(Update("a", 2));
        buffer.Offer(Update("a", 3));

        var batch = buffer.TakeBatch(10);
        Assert.Equal(["a", "b"], batch.Select(u => u.Strategy));
        Assert.Equal(3, batch[0].Realized);
        Assert.Equal(2, metrics.ConflatedTotal);
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void At_the_bound_the_oldest_strategy_is_dropped_and_counted()
    {
        using var metrics = new PnlIngestMetrics();
        var buffer = new ConflatingPnlBuffer(2, metrics);
        buffer.Offer(Update("a", 1));
        buffer.Offer(Update("b", 1));
        buffer.Offer(Update("c", 1));
        Assert.Equal(["b", "c"], buffer.TakeBatch(10).Select(u => u.Strategy));
        Assert.Equal(1, metrics.DroppedTotal);
    }

    [Fact]
    public void Returned_updates_go_back_first_unless_a_newer_one_arrived()
    {
        using var metrics = new PnlIngestMetrics();
        var buffer = new ConflatingPnlBuffer(10, metrics);
        buffer.Offer(Update("a", 1));
        buffer.Offer(Update("b", 1));
        var failed = buffer.TakeBatch(10);
        buffer.Offer(Update("b", 5));
        buffer.Offer(Update("c", 1));
        buffer.Return(failed);

        var batch = buffer.TakeBatch(10);
        Assert.Equal(["a", "b", "c"], batch.Select(u => u.Strategy));
        Assert.Equal(5, batch[1].Realized);
    }

    [Fact]
    public async Task WaitAsync_wakes_when_an_update_arrives()
    {
        using var metrics = new PnlIngestMetrics();
        var buffer = new ConflatingPnlBuffer(10, metrics);
        var wait = buffer.WaitAsync(CancellationToken.None);
        Assert.False(wait.IsCompleted);
        buffer.Offer(Update("a", 1));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
