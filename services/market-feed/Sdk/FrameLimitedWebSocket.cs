using System.Buffers;
using System.Net.WebSockets;

namespace OpsBot.MarketFeed.Sdk;

/// <summary>
/// The library client's receive bound. Websocket.Client reassembles every message into a growing memory stream
/// with no size limit; it cannot be bounded inside, so it is handed this <see cref="WebSocket"/> (through its
/// connection factory) instead of the bare <see cref="ClientWebSocket"/>. This wrapper counts the bytes of the
/// message being received; once a message goes over <paramref name="maxMessageBytes"/> it stops passing bytes on,
/// reads the rest of that message into a small scratch buffer and throws it away, and ends the message for the
/// library as an empty binary one. <see cref="TakeOversized"/> then tells the client that the message just ended
/// was oversized, and how large it was. The library never holds more than the limit; the connection stays up.
/// </summary>
public sealed class FrameLimitedWebSocket(WebSocket inner, int maxMessageBytes) : WebSocket
{
    private const int ScratchBytes = 16 * 1024;
    private long _messageBytes;
    private long _oversized = -1;

    /// <summary>The size of the message that just ended if it was over the limit (then forgotten), else null.</summary>
    public long? TakeOversized()
    {
        var size = Interlocked.Exchange(ref _oversized, -1);
        return size < 0 ? null : size;
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await inner.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            _messageBytes = 0;
            return result;
        }
        _messageBytes += result.Count;
        if (_messageBytes <= maxMessageBytes)
        {
            if (result.EndOfMessage) _messageBytes = 0;
            return result;
        }

        var total = _messageBytes;
        var scratch = ArrayPool<byte>.Shared.Rent(ScratchBytes);
        try
        {
            while (!result.EndOfMessage)
            {
                result = await inner.ReceiveAsync(scratch.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _messageBytes = 0;
                    return result;
                }
                total += result.Count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
        _messageBytes = 0;
        Interlocked.Exchange(ref _oversized, total);
        return new ValueWebSocketReceiveResult(0, WebSocketMessageType.Binary, endOfMessage: true);
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        return result.MessageType == WebSocketMessageType.Close
            ? new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage, inner.CloseStatus, inner.CloseStatusDescription)
            : new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);
    }

    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;
    public override string? CloseStatusDescription => inner.CloseStatusDescription;
    public override WebSocketState State => inner.State;
    public override string? SubProtocol => inner.SubProtocol;

    public override void Abort() => inner.Abort();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override void Dispose() => inner.Dispose();
}
