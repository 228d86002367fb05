using OpsBot.Contracts;
using OpsBot.PnlIngest;

namespace OpsBot.PnlIngest.Tests;

public sealed class InFlightPnlBufferTests
{
    private static PnlUpdatedV2 Update(string strategy, decimal realized) => new()
    {
        CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Account = "acct", Strategy = strategy,
        Realized = realized, Unrealized = 0, Currency = "USD", AsOf = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_strategy_in_flight_is_not_taken_again_until_its_publish_completed()
    {
        using var metrics = new PnlIngestMetrics();
        var buffer = new ConflatingPnlBuffer(10, metrics);
        buffer.Offer(Update("a", 1));
        var first = buffer.TakeBatch(10);
        buffer.Offer(Update("a", 2));
        buffer.Offer(Update("b", 1));
        Assert.Equal(["b"], buffer.TakeBatch(10).Select(u => u.Strategy)); // a's newer update waits for a's first
        buffer.Completed(first[0]);
        await buffer.WaitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        var next = buffer.TakeBatch(10);
        Assert.Equal(2, Assert.Single(next).Realized);
    }
}
