using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using OpsBot.Bot.Commands;
using OpsBot.Bot.Slack;
using OpsBot.Contracts;

namespace OpsBot.Bot.Interactions;

/// <summary>
/// After a <c>KillSwitchRequested</c> reached a trading system, waits for the platform to report the switch
/// in the requested state (<c>KillSwitchChanged</c> for the scope, published by pnl-ingest from the platform's
/// metrics) and says so in the conversation where it was confirmed — or that no confirmation came within
/// <c>KILL_SWITCH_CONFIRM_TIMEOUT</c>. The watch lives in the replica that published: every replica receives
/// every <c>KillSwitchChanged</c> on its own queue, so only that one answers. When it stops while waiting it
/// says it no longer watches; a replica that crashes says nothing (docs/ops-bot.md).
/// </summary>
public sealed class KillSwitchConfirmations(BotOptions options, SlackResponder responder, BackgroundWork background, TimeProvider time, ILogger<KillSwitchConfirmations> logger)
{
    private readonly ConcurrentDictionary<Guid, Waiting> _pending = new();

    /// <summary>Requests still waiting for their confirmation.</summary>
    public int Pending => _pending.Count;

    /// <summary>Starts waiting for <paramref name="request"/>; <paramref name="lastKnown"/> is the scope's state seen before it.</summary>
    public void Watch(KillSwitchRequested request, Uri? responseUrl, KillSwitchChanged? lastKnown)
    {
        var watch = new Waiting(request, responseUrl, lastKnown);
        _pending[request.CorrelationId] = watch;
        _ = background.Run("kill switch confirmation", ct => WaitAsync(watch, ct));
    }

    /// <summary>Every <c>KillSwitchChanged</c> this replica consumes.</summary>
    public void Observe(KillSwitchChanged change)
    {
        foreach (var watch in _pending.Values)
            if (watch.Request.Engage == change.Engaged && string.Equals(watch.Request.Scope, change.Scope, StringComparison.Ordinal))
                watch.Confirmed.TrySetResult(change);
    }

    private async Task WaitAsync(Waiting watch, CancellationToken stopping)
    {
        var request = watch.Request;
        var state = request.Engage ? "ENGAGED" : "released";
        var scope = SlackJson.Escape(request.Scope);
        string text;
        try
        {
            var timeout = Task.Delay(options.KillSwitchConfirmTimeout, time, stopping);
            if (await Task.WhenAny(watch.Confirmed.Task, timeout) == watch.Confirmed.Task)
            {
                var change = watch.Confirmed.Task.Result;
                text = $"✅ The platform confirms: kill switch for *{scope}* is *{state}* (reported at {Formats.Time(change.Timestamp)}, from {SlackJson.Escape(change.Source)}; request `{request.CorrelationId}`).";
                logger.LogInformation("Kill switch request {CorrelationId} ({Scope} {State}) confirmed by KillSwitchChanged", request.CorrelationId, request.Scope, state);
            }
            else if (stopping.IsCancellationRequested)
            {
                text = $"⚠️ ops-bot is restarting and no longer waits for the platform to confirm the kill switch for *{scope}* (request `{request.CorrelationId}`). Check `/ops status`.";
                logger.LogWarning("Stopped waiting for the confirmation of kill switch request {CorrelationId}: shutting down", request.CorrelationId);
            }
            else
            {
                var seconds = (int)Math.Round(options.KillSwitchConfirmTimeout.TotalSeconds);
                text = $"⚠️ No confirmation from the platform within {seconds} s that the kill switch for *{scope}* is *{state}* (no KillSwitchChanged seen; request `{request.CorrelationId}`). A trading system received the request: check that it acted, and `/ops status`.";
                if (watch.LastKnown is { } known && known.Engaged == request.Engage)
                    text += $" The switch was already {state} before the request (since {Formats.Time(known.Timestamp)}), so no change may have been due.";
                logger.LogWarning("No KillSwitchChanged confirmed kill switch request {CorrelationId} ({Scope} {State}) within {Seconds} s", request.CorrelationId, request.Scope, state, seconds);
            }
        }
        finally
        {
            _pending.TryRemove(request.CorrelationId, out _);
        }
        using var answer = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var message = new JsonObject { ["response_type"] = "ephemeral", ["replace_original"] = false, ["text"] = text };
        if (!await responder.RespondAsync(watch.ResponseUrl, message, answer.Token))
            logger.LogWarning("Could not tell the requester about kill switch request {CorrelationId}", request.CorrelationId);
    }

    private sealed record Waiting(KillSwitchRequested Request, Uri? ResponseUrl, KillSwitchChanged? LastKnown)
    {
        public TaskCompletionSource<KillSwitchChanged> Confirmed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
