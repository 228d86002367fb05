using OpsBot.Contracts;

namespace OpsBot.MarketFeed;

/// <summary>Which exchange channel a frame belongs to.</summary>
public enum FeedChannel
{
    /// <summary>A channel this service does not use; ignored, as the exchange asks of clients.</summary>
    Other,
    Ticker,
    User,
    Heartbeats,
    Subscriptions,
    /// <summary><c>{"type":"error","message":...}</c>: the exchange refused something.</summary>
    Error,
}

/// <summary>
/// One exchange frame after decoding, already normalised into the v1 contracts. Each client's
/// decoder produces it its own way; only this shape and the contracts are shared.
/// </summary>
public sealed class DecodedFrame
{
    public required FeedChannel Channel { get; init; }
    /// <summary>The frame's <c>sequence_num</c>; -1 for frames without one (errors).</summary>
    public long Sequence { get; init; } = -1;
    public DateTimeOffset ExchangeTime { get; init; }
    public IReadOnlyList<TickerReceived> Tickers { get; init; } = [];
    public IReadOnlyList<UserUpdateReceived> UserUpdates { get; init; } = [];
    /// <summary>The exchange's error text (error frames only).</summary>
    public string? Message { get; init; }
}

/// <summary>A decoded frame, or why the frame is malformed.</summary>
public readonly record struct DecodeResult(DecodedFrame? Frame, string? Error)
{
    public bool IsValid => Frame is not null;
    public static DecodeResult Ok(DecodedFrame frame) => new(frame, null);
    public static DecodeResult Malformed(string error) => new(null, error);
}
