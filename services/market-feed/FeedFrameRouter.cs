using System.Text;

namespace OpsBot.MarketFeed;

/// <summary>
/// What a client does with a decoded (or undecodable) frame. This policy is shared by both clients
/// on purpose — it is the specification both must follow (gap and stale handling, one warning per
/// malformed frame) — while decoding and the connection are each client's own.
/// </summary>
public sealed class FeedFrameRouter(string client, IFeedSink sink, FeedClientStats stats, ILogger logger)
{
    private const int PreviewChars = 120;
    private SequenceTracker _sequence;

    /// <summary>A new connection: sequence numbers start again.</summary>
    public void ConnectionOpened() => _sequence.Reset();

    public void Route(DecodeResult result, ReadOnlySpan<byte> raw)
    {
        stats.Frame();
        if (result.Frame is not { } frame)
        {
            stats.MalformedFrame();
            logger.LogWarning("Malformed frame from the exchange ignored ({Client} client): {Reason}; {Bytes} bytes, starts {Preview}",
                client, result.Error, raw.Length, Preview(raw));
            return;
        }

        if (frame.Sequence >= 0)
        {
            switch (_sequence.Observe(frame.Sequence, out var missed))
            {
                case SequenceVerdict.Gap:
                    stats.Gap(missed);
                    logger.LogWarning("Sequence gap on the exchange feed ({Client} client): {Missed} frame(s) missed before sequence {Sequence}",
                        client, missed, frame.Sequence);
                    break;
                case SequenceVerdict.Stale:
                    stats.Stale();
                    logger.LogWarning("Stale frame dropped ({Client} client): sequence {Sequence} arrived after a later one", client, frame.Sequence);
                    return;
            }
        }

        switch (frame.Channel)
        {
            case FeedChannel.Ticker:
                foreach (var t in frame.Tickers) sink.OnTicker(t);
                stats.Ticker(frame.Tickers.Count);
                break;
            case FeedChannel.User:
                foreach (var u in frame.UserUpdates) sink.OnUserUpdate(u);
                stats.UserUpdate(frame.UserUpdates.Count);
                break;
            case FeedChannel.Heartbeats:
                stats.Heartbeat();
                break;
            case FeedChannel.Subscriptions:
                stats.Subscribed();
                logger.LogInformation("Exchange confirmed the subscriptions ({Client} client)", client);
                break;
            case FeedChannel.Error:
                stats.ExchangeError();
                logger.LogWarning("The exchange reported an error ({Client} client): {Message}", client, frame.Message);
                break;
        }
    }

    /// <summary>
    /// A message over <see cref="MarketFeedOptions.MaxFrameBytes"/>: its rest was read and thrown away by the client, never
    /// buffered. It is one malformed frame (one warning with its size, <c>opsbot.feed.malformed</c>) and is also counted in
    /// <c>opsbot.feed.oversized_frames</c>; the connection stays up.
    /// </summary>
    public void RouteOversized(long bytes, ReadOnlySpan<byte> start)
    {
        stats.OversizedFrame();
        Route(DecodeResult.Malformed($"frame of {bytes} bytes is over the {MarketFeedOptions.MaxFrameBytes}-byte limit"), start[..Math.Min(start.Length, 256)]);
    }

    private static string Preview(ReadOnlySpan<byte> raw)
    {
        var text = Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, PreviewChars * 4)]);
        text = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return text.Length <= PreviewChars ? text : text[..PreviewChars] + "…";
    }
}
