using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsBot.Bot.Commands;
using OpsBot.Bot.Interactions;
using OpsBot.Bot.Slack;
using OpsBot.Slack;

namespace OpsBot.Bot.SocketMode;

/// <summary>
/// Slack Socket Mode over ClientWebSocket: <c>apps.connections.open</c> (app token) gives a single-use wss URL;
/// after <c>hello</c> every envelope is acknowledged with its <c>envelope_id</c> within Slack's 3 s — a slash
/// command's ack carries its answer when it is ready in time, a button's ack carries nothing (its answer goes
/// to the response_url), events are just acknowledged. On <c>disconnect</c> (<c>warning</c>,
/// <c>refresh_requested</c>, <c>link_disabled</c>), a dropped socket, or a silent one (no PONG to its PING within
/// the keep-alive timeout) it opens a fresh URL, with backoff when connecting fails. Any unexpected exception
/// ends only the connection, never the process: logged, counted as a failure, reconnected after the backoff.
/// URLs are never logged (they carry a ticket).
/// </summary>
public sealed class SocketModeClient(
    SlackWebApi slack,
    SlackWebSocketFactory sockets,
    SocketModeOptions options,
    SocketModeState state,
    SlashCommandProcessor commands,
    InteractionProcessor interactions,
    BackgroundWork background,
    TimeProvider time,
    ILogger<SocketModeClient> logger) : BackgroundService
{
    private const int MaxMessageBytes = 4 * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        state.Enable();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            string ended;
            try
            {
                var url = await slack.OpenSocketModeConnectionAsync(stoppingToken);
                using var socket = sockets.Create();
                socket.Options.KeepAliveInterval = options.KeepAliveInterval;
                socket.Options.KeepAliveTimeout = options.KeepAliveTimeout;
                using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    connectTimeout.CancelAfter(options.ConnectTimeout);
                    await socket.ConnectAsync(url, connectTimeout.Token);
                }
                var (reason, greeted) = await RunConnectionAsync(socket, stoppingToken);
                ended = reason;
                failures = greeted ? 0 : failures + 1;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e) when (e is SlackApiException or WebSocketException or OperationCanceledException or HttpRequestException)
            {
                failures++;
                ended = e is SlackApiException s ? $"apps.connections.open: {s.Error}" : $"connect failed: {e.GetType().Name}";
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Never let the loop die with the process: only the type is logged (a message could carry the socket URL).
                failures++;
                ended = $"unexpected {e.GetType().Name}";
                logger.LogError("Socket Mode loop hit an unexpected {Error}; the connection is dropped and reopened", e.GetType().FullName);
            }
            state.Down(ended);
            var delay = options.Backoff(failures);
            if (failures == 0) logger.LogInformation("Socket Mode connection ended ({Reason}); reconnecting with a fresh URL", ended);
            else logger.LogWarning("Socket Mode connection ended ({Reason}); reconnecting in {Delay} ms (failure {Failures})", ended, (int)delay.TotalMilliseconds, failures);
            try { await Task.Delay(delay, time, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>Reads until Slack says goodbye or the socket drops; returns why, and whether hello came.</summary>
    private async Task<(string Reason, bool Greeted)> RunConnectionAsync(ClientWebSocket socket, CancellationToken stoppingToken)
    {
        var send = new SemaphoreSlim(1, 1);
        var greeted = false;
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (!stoppingToken.IsCancellationRequested)
        {
            message.SetLength(0);
            WebSocketReceiveResult result;
            try
            {
                do
                {
                    result = await socket.ReceiveAsync(buffer, stoppingToken);
                    if (result.MessageType == WebSocketMessageType.Close) return ($"closed by Slack ({result.CloseStatus})", greeted);
                    message.Write(buffer, 0, result.Count);
                    if (message.Length > MaxMessageBytes) return ("message too large", greeted);
                } while (!result.EndOfMessage);
            }
            catch (WebSocketException e) { return ($"dropped ({e.WebSocketErrorCode})", greeted); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await CloseQuietlyAsync(socket, "shutting down");
                return ("shutting down", greeted);
            }

            JsonObject? frame;
            try { frame = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length)) as JsonObject; }
            catch (JsonException) { frame = null; }
            if (frame is null) { logger.LogWarning("Ignored a Socket Mode frame that is not a JSON object"); continue; }

            var type = SlackJson.String(frame["type"]);
            if (type == "hello")
            {
                greeted = true;
                state.Up();
                logger.LogInformation("Socket Mode connected ({Connections} connections for this app)", frame["num_connections"]?.ToJsonString() ?? "?");
                continue;
            }
            if (type == "disconnect")
            {
                var reason = SlackJson.String(frame["reason"]) ?? "unknown";
                await CloseQuietlyAsync(socket, reason);
                return ($"disconnect: {reason}", greeted);
            }
            if (SlackJson.String(frame["envelope_id"]) is { } envelopeId)
            {
                // each envelope on its own task: the receive loop never waits for a handler
                _ = background.Run("envelope", ct => HandleEnvelopeAsync(socket, send, envelopeId, type, frame, ct));
                continue;
            }
            logger.LogDebug("Ignored Socket Mode frame of type {Type}", type);
        }
        return ("shutting down", greeted);
    }

    private async Task HandleEnvelopeAsync(ClientWebSocket socket, SemaphoreSlim send, string envelopeId, string? type, JsonObject frame, CancellationToken cancellationToken)
    {
        var payload = frame["payload"] as JsonObject ?? new JsonObject();
        JsonObject? answer = null;
        switch (type)
        {
            case "slash_commands":
                answer = await commands.HandleAsync(SlashCommandRequest.FromJson(payload), cancellationToken);
                break;
            case "interactive":
                _ = background.Run("interaction", ct => interactions.HandleAsync(payload, ct));
                break;
            case "events_api":
                logger.LogDebug("Acknowledged event {EventType}", SlackJson.String(payload["event"]?["type"]));
                break;
        }
        var ack = new JsonObject { ["envelope_id"] = envelopeId };
        if (answer is not null) ack["payload"] = answer;
        var bytes = Encoding.UTF8.GetBytes(ack.ToJsonString());
        await send.WaitAsync(cancellationToken);
        try
        {
            if (socket.State == WebSocketState.Open) await socket.SendAsync(bytes, WebSocketMessageType.Text, true, cancellationToken);
            else logger.LogWarning("Envelope {EnvelopeId} not acknowledged: the connection closed first (Slack retries it)", envelopeId);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            logger.LogWarning("Envelope {EnvelopeId} not acknowledged: {Error} (Slack retries it)", envelopeId, e.GetType().Name);
        }
        finally { send.Release(); }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason.Length > 100 ? reason[..100] : reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
    }
}
