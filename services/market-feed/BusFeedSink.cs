using System.Threading.Channels;
using OpsBot.Contracts;

namespace OpsBot.MarketFeed;

/// <summary>
/// Between a client's receive path and the bus: a bounded queue (<c>FEED_BUFFER_CAPACITY</c>). The
/// receive path never waits on the broker; when the queue is full (a long broker outage) new events
/// are dropped and counted, and the exchange connection stays healthy.
/// </summary>
public sealed class BusFeedSink(MarketFeedOptions options, ILogger<BusFeedSink> logger) : IFeedSink
{
    private readonly Channel<IOpsBotMessage> _queue = Channel.CreateBounded<IOpsBotMessage>(
        new BoundedChannelOptions(options.BufferCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private long _dropped;

    /// <summary>Counts drops; set by the worker to the running client's stats.</summary>
    public FeedClientStats? Stats { get; set; }

    public ChannelReader<IOpsBotMessage> Reader => _queue.Reader;

    public void OnTicker(TickerReceived ticker) => Offer(ticker);

    public void OnUserUpdate(UserUpdateReceived update) => Offer(update);

    private void Offer(IOpsBotMessage message)
    {
        if (_queue.Writer.TryWrite(message)) return;
        Stats?.DroppedEvent();
        var dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % 1000 == 0)
            logger.LogWarning("Publish buffer full ({Capacity}); {Dropped} event(s) dropped so far", options.BufferCapacity, dropped);
    }
}
