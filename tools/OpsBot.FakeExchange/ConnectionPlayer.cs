using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace OpsBot.FakeExchange;

/// <summary>Plays one script segment to one connection and answers its subscribe messages.</summary>
internal sealed class ConnectionPlayer(
    WebSocket socket,
    ExchangeConnection connection,
    FakeExchangeOptions options,
    FakeExchangeServer server,
    FakeExchangeServer.SessionState session,
    CancellationTokenSource lifetime)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource _firstSubscribe = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _subscribed = new(0);
    private long _sequence;
    private long _heartbeats;
    private (byte[] Frame, int Fragments)? _held;
    private bool _swapNext;

    public bool Aborted { get; private set; }

    public async Task RunAsync()
    {
        var token = lifetime.Token;
        var receiving = ReceiveAsync(token);
        try
        {
            using (var subscribeTimeout = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                subscribeTimeout.CancelAfter(options.SubscribeTimeout);
                try { await _firstSubscribe.Task.WaitAsync(subscribeTimeout.Token); }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    await SendAsync(CoinbaseFrames.Error("subscribe within 5 seconds"), 1, token);
                    await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "no subscribe", token);
                    return;
                }
            }
            await WaitForRequiredSubscriptionsAsync(token);
            // Held (FakeExchangeOptions.HoldPlayback): silent, so that every session's sequence numbers stay the same;
            // clients need a heartbeat timeout longer than the hold.
            await server.Playback.WaitAsync(token);
            var timeBase = server.TimeBase;

            var segments = options.Script.Segments;
            var index = connection.Ordinal;
            if (index < segments.Count)
            {
                var offset = segments.Take(index).Sum(s => s.Count);
                var segment = segments[index];
                for (var i = 0; i < segment.Count; i++)
                {
                    if (!await PlayAsync(segment[i], timeBase + options.StepSpacing * (offset + i), token)) return;
                    if (options.StepDelay > TimeSpan.Zero) await Task.Delay(options.StepDelay, token);
                }
                if (_held is { } held) await SendAsync(held.Frame, held.Fragments, token);
            }
            if (index >= segments.Count - 1) session.Complete.TrySetResult();

            while (!token.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                await Task.Delay(options.IdleHeartbeatInterval, token);
                await SendHeartbeatAsync(DateTimeOffset.UtcNow, token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The client went away or the server is stopping.
        }
        finally
        {
            await lifetime.CancelAsync();
            try { await receiving; } catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException) { }
        }
    }

    /// <returns>false when the connection is over (disconnect step).</returns>
    private async Task<bool> PlayAsync(ExchangeStep step, DateTimeOffset at, CancellationToken token)
    {
        switch (step)
        {
            case TickerStep t:
                var tickers = t.Tickers.Where(x => connection.WantsProduct("ticker", x.ProductId)).ToArray();
                if (tickers.Length > 0) await SendDataAsync(seq => CoinbaseFrames.Ticker(seq, at, t.Snapshot, tickers), t.Fragments, token);
                break;
            case OrdersStep o:
                var orders = o.Orders.Where(x => connection.WantsProduct("user", x.ProductId)).ToArray();
                if (orders.Length > 0) await SendDataAsync(seq => CoinbaseFrames.Orders(seq, at, o.Snapshot, orders), 1, token);
                break;
            case HeartbeatStep:
                await SendHeartbeatAsync(at, token);
                break;
            case MalformedStep m:
                await SendAsync(Encoding.UTF8.GetBytes(m.Text), 1, token);
                break;
            case SkipSequenceStep s:
                Interlocked.Add(ref _sequence, s.Count);
                break;
            case SwapNextStep:
                _swapNext = true;
                break;
            case PauseStep p:
                await Task.Delay(p.Duration, token);
                break;
            case SilenceStep:
                await Task.Delay(Timeout.Infinite, token);
                break;
            case DisconnectStep:
                // Frames already sent must reach the client before the drop, or what is lost depends on timing.
                if (_held is { } pending) { _held = null; await SendAsync(pending.Frame, pending.Fragments, token); }
                await Task.Delay(options.DrainBeforeDisconnect, token);
                Aborted = true;
                socket.Abort();
                return false;
        }
        return true;
    }

    private async Task SendHeartbeatAsync(DateTimeOffset at, CancellationToken token)
    {
        if (!connection.WantsProduct("heartbeats", null)) return;
        await SendDataAsync(seq => CoinbaseFrames.Heartbeat(seq, at, Interlocked.Increment(ref _heartbeats)), 1, token);
    }

    /// <summary>Gives the frame the next sequence number; of a swapped pair, holds the first until the second is sent.</summary>
    private async Task SendDataAsync(Func<long, byte[]> render, int fragments, CancellationToken token)
    {
        await _sendLock.WaitAsync(token);
        try
        {
            var frame = render(_sequence++);
            if (_swapNext)
            {
                _swapNext = false;
                _held = (frame, fragments);
                return;
            }
            await SendLockedAsync(frame, fragments, token);
            if (_held is { } held)
            {
                _held = null;
                await SendLockedAsync(held.Frame, held.Fragments, token);
            }
        }
        finally { _sendLock.Release(); }
    }

    private async Task SendAsync(byte[] frame, int fragments, CancellationToken token)
    {
        await _sendLock.WaitAsync(token);
        try { await SendLockedAsync(frame, fragments, token); }
        finally { _sendLock.Release(); }
    }

    private async Task SendLockedAsync(byte[] frame, int fragments, CancellationToken token)
    {
        fragments = Math.Clamp(fragments, 1, Math.Max(1, frame.Length));
        var size = (frame.Length + fragments - 1) / fragments;
        for (var start = 0; start < frame.Length || start == 0; start += size)
        {
            var length = Math.Min(size, frame.Length - start);
            await socket.SendAsync(frame.AsMemory(start, length), WebSocketMessageType.Text, start + length >= frame.Length, token);
            if (start + length >= frame.Length) break;
        }
        Interlocked.Increment(ref connection.FramesSent);
    }

    private async Task WaitForRequiredSubscriptionsAsync(CancellationToken token)
    {
        var deadline = DateTime.UtcNow + options.SubscribeSettle;
        while (!options.RequiredChannels.All(c => connection.Subscriptions.ContainsKey(c)))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return;
            await _subscribed.WaitAsync(left, token);
        }
    }

    private async Task ReceiveAsync(CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        var message = new MemoryStream();
        while (!token.IsCancellationRequested)
        {
            var result = await socket.ReceiveAsync(buffer, token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                await lifetime.CancelAsync();
                return;
            }
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            message.SetLength(0);
            await HandleClientMessageAsync(text, token);
        }
    }

    private async Task HandleClientMessageAsync(string text, CancellationToken token)
    {
        string? type = null, channel = null;
        string[] products = [];
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
            channel = root.TryGetProperty("channel", out var c) ? c.GetString() : null;
            if (root.TryGetProperty("product_ids", out var p) && p.ValueKind == JsonValueKind.Array)
                products = p.EnumerateArray().Select(x => x.GetString() ?? "").ToArray();
        }
        catch (JsonException) { }
        connection.RecordMessage(text);
        if (channel is null || type is not ("subscribe" or "unsubscribe"))
        {
            await SendAsync(CoinbaseFrames.Error("expected {type: subscribe|unsubscribe, channel, product_ids}"), 1, token);
            return;
        }
        if (type == "subscribe") connection.Subscribe(channel, products);
        else connection.Unsubscribe(channel, products);

        await _sendLock.WaitAsync(token);
        try { await SendLockedAsync(CoinbaseFrames.Subscriptions(_sequence++, DateTimeOffset.UtcNow, connection.Subscriptions), 1, token); }
        finally { _sendLock.Release(); }
        _firstSubscribe.TrySetResult();
        _subscribed.Release();
    }
}
