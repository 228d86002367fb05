using OpsBot.Contracts;
using OpsBot.PnlIngest;

namespace OpsBot.PnlIngest.Tests;

public sealed class NonConflatingPnlBufferTests
{
    [Fact]
    public void With_conflation_off_every_update_is_kept_in_order_up_to_the_bound()
    {
        using var metrics = new PnlIngestMetrics();
        var buffer = new ConflatingPnlBuffer(3, metrics, conflate: false);
        foreach (var realized in new[] { 1m, 2m, 3m, 4m })
            buffer.Offer(new PnlUpdatedV2 { CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Account = "a", Strategy = "s", Realized = realized, Unrealized = 0, Currency = "USD", AsOf = DateTimeOffset.UtcNow });
        var batch = buffer.TakeBatch(10);
        Assert.Equal([2m, 3m, 4m], batch.Select(u => u.Realized));
        Assert.Equal(0, metrics.ConflatedTotal);
        Assert.Equal(1, metrics.DroppedTotal);
        buffer.Return(batch);
        Assert.Equal(3, buffer.Count);
    }
}
