using System.Text.Json.Nodes;
using MassTransit;
using OpsBot.Bot.Commands;
using OpsBot.Bot.Guards;
using OpsBot.Bot.Slack;
using OpsBot.Bot.State;
using OpsBot.Bot.Incidents;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.Interactions;

/// <summary>One button click from a <c>block_actions</c> payload.</summary>
public sealed record ButtonClick(string ActionId, string? Value, string UserId, Uri? ResponseUrl, string? ChannelId, string? MessageTs, JsonObject? Message)
{
    public static ButtonClick? From(JsonObject payload)
    {
        if (SlackJson.String(payload["type"]) != "block_actions") return null;
        if (payload["actions"] is not JsonArray { Count: > 0 } actions || actions[0] is not JsonObject action) return null;
        Uri? responseUrl = null;
        if (SlackJson.String(payload["response_url"]) is { } raw && Uri.TryCreate(raw, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)) responseUrl = uri;
        return new ButtonClick(
            SlackJson.String(action["action_id"]) ?? "",
            SlackJson.String(action["value"]),
            SlackJson.String(payload["user"]?["id"]) ?? "",
            responseUrl,
            SlackJson.String(payload["channel"]?["id"]) ?? SlackJson.String(payload["container"]?["channel_id"]),
            SlackJson.String(payload["container"]?["message_ts"]) ?? SlackJson.String(payload["message"]?["ts"]),
            payload["message"] as JsonObject);
    }

    public override string ToString() => $"{ActionId} by {UserId}";
}

/// <summary>
/// Buttons: the alert's "Acknowledge" (anyone) and "Silence 1h" (admins) publish <c>AlertAcknowledged</c> /
/// <c>SilenceRequested</c> and rewrite the alert in place; the kill-switch "Confirm" (admins, signed, five
/// minutes, spent once across replicas) publishes <c>KillSwitchRequested</c> as a mandatory message and then
/// follows it to the platform's confirmation (<see cref="KillSwitchConfirmations"/>). Every click is audited.
/// Runs after the acknowledgement. A click Slack delivers again (same trigger_id) is not run twice.
/// </summary>
public sealed class InteractionProcessor(
    IBus bus,
    OpsAuthorizer authorizer,
    CommandAuditor auditor,
    ConfirmationTokens tokens,
    DuplicateGuard duplicates,
    KillSwitchPublisher killSwitch,
    KillSwitchConfirmations confirmations,
    OpsStateCache cache,
    IncidentView incidents,
    SlackResponder responder,
    BotOptions options,
    TimeProvider time,
    ILogger<InteractionProcessor> logger)
{
    public const string AcknowledgeActionId = "opsbot_alert_ack";
    public const string SilenceActionId = "opsbot_alert_silence_1h";
    public const string AlertActionsBlockId = "opsbot_alert_actions";
    public static readonly TimeSpan ButtonSilence = TimeSpan.FromHours(1);

    public async Task HandleAsync(JsonObject payload, CancellationToken cancellationToken)
    {
        if (ButtonClick.From(payload) is not { } click)
        {
            logger.LogDebug("Ignored interaction of type {Type}", SlackJson.String(payload["type"]));
            return;
        }
        if (SlackJson.String(payload["trigger_id"]) is { Length: > 0 } trigger
            && await duplicates.DeliveryAsync(trigger, SlashCommandProcessor.DeliveryMemory) == Once.Seen)
        {
            logger.LogInformation("Slack delivered the click {Click} again (same trigger_id); not run twice", click);
            return;
        }
        switch (click.ActionId)
        {
            case AcknowledgeActionId: await AcknowledgeAsync(click, cancellationToken); break;
            case SilenceActionId: await SilenceAsync(click, cancellationToken); break;
            case KillSwitchHandler.ConfirmActionId: await ConfirmKillSwitchAsync(click, cancellationToken); break;
            case KillSwitchHandler.CancelActionId: await CancelKillSwitchAsync(click, cancellationToken); break;
            default: logger.LogDebug("Ignored button {ActionId}", click.ActionId); break;
        }
    }

    private async Task AcknowledgeAsync(ButtonClick click, CancellationToken cancellationToken)
    {
        var key = click.Value ?? "";
        var (correlationId, alertId) = await AlertOfAsync(key);
        var typed = $"button acknowledge {key}";
        try
        {
            await BusPublish.WithTimeoutAsync(bus, new AlertAcknowledged
            {
                CorrelationId = correlationId,
                Timestamp = time.GetUtcNow(),
                DedupKey = key,
                AlertId = alertId,
                AcknowledgedBy = click.UserId,
            }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Failed, e.GetType().Name, correlationId);
            await Ephemeral(click, "❌ The acknowledgement could not be published (message bus unreachable); try again.", cancellationToken);
            return;
        }
        await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Allowed, null, correlationId);
        await responder.RespondAsync(click.ResponseUrl, Resolved(click, $"✅ Acknowledged by <@{click.UserId}> at {Formats.Time(time.GetUtcNow())}"), cancellationToken, click.ChannelId, click.MessageTs);
    }

    /// <summary>
    /// The correlation id and alert id of the key's incident, from the incident view every replica shares (Redis), so a
    /// click another replica receives carries the same ids; this replica's cache when the view is unreachable; new ones last.
    /// </summary>
    private async Task<(Guid CorrelationId, Guid? AlertId)> AlertOfAsync(string key)
    {
        try
        {
            if (await incidents.FindAsync(key) is { } incident && incident.CorrelationId != Guid.Empty) return (incident.CorrelationId, incident.AlertId);
        }
        catch (IncidentViewUnavailableException)
        {
            // the cache below: the acknowledgement still goes out, with this replica's ids if it has them
        }
        var alert = cache.LatestAlert(key)?.Alert;
        return (alert?.CorrelationId ?? Guid.NewGuid(), alert?.AlertId);
    }

    private async Task SilenceAsync(ButtonClick click, CancellationToken cancellationToken)
    {
        var key = click.Value ?? "";
        var (correlationId, _) = await AlertOfAsync(key);
        var typed = $"button silence 1h {key}";
        if (!await authorizer.IsAdminAsync(click.UserId, cancellationToken))
        {
            await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Refused, "not in OPS_ADMINS", correlationId);
            await Ephemeral(click, "⛔ Silencing is only for the admins listed in OPS_ADMINS. This attempt was recorded.", cancellationToken);
            return;
        }
        // The button silences exactly the alert's key: * ? \ in it (a strategy named "mom*") are escaped, so the
        // silence covers no more than the alert shows.
        var matcher = SilencePattern.Escape(key);
        if (SilencePattern.Validate(matcher) is { } problem)
        {
            await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Refused, problem, correlationId);
            await Ephemeral(click, $"⛔ This alert's key cannot be silenced from the button ({problem}); use `/ops silence`.", cancellationToken);
            return;
        }
        var until = time.GetUtcNow() + ButtonSilence;
        try
        {
            await BusPublish.WithTimeoutAsync(bus, new SilenceRequested
            {
                CorrelationId = correlationId,
                Timestamp = time.GetUtcNow(),
                SilenceId = Guid.NewGuid(),
                Matcher = matcher,
                Until = until,
                RequestedBy = click.UserId,
                Reason = "Silence 1h button",
            }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Failed, e.GetType().Name, correlationId);
            await Ephemeral(click, "❌ The silence could not be published (message bus unreachable); try again.", cancellationToken);
            return;
        }
        await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Allowed, null, correlationId);
        await responder.RespondAsync(click.ResponseUrl, Resolved(click, $"🔕 Silenced for 1 h by <@{click.UserId}> (until {Formats.Time(until)})"), cancellationToken, click.ChannelId, click.MessageTs);
    }

    private async Task ConfirmKillSwitchAsync(ButtonClick click, CancellationToken cancellationToken)
    {
        var intent = tokens.Read(click.Value);
        if (intent is null)
        {
            await auditor.AuditAsync(click.UserId, "button killswitch confirm", AuditOutcome.Refused, "confirmation forged or expired", Guid.NewGuid());
            await Ephemeral(click, "⛔ This confirmation is no longer valid (expired or already used). Run the command again.", cancellationToken);
            return;
        }
        var typed = $"/ops killswitch {(intent.Engage ? "engage" : "release")} {intent.Scope} (confirmed)";
        if (click.UserId != intent.RequestedBy || !await authorizer.IsAdminAsync(click.UserId, cancellationToken))
        {
            await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Refused, "confirmation by someone other than the admin who asked", intent.CorrelationId);
            await Ephemeral(click, "⛔ Only the admin who asked can confirm.", cancellationToken);
            return;
        }
        switch (await duplicates.ConfirmationAsync(intent.CorrelationId, intent.Expires - time.GetUtcNow() + TimeSpan.FromMinutes(1)))
        {
            case Once.Seen:
                await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Refused, "confirmation already used", intent.CorrelationId);
                await Ephemeral(click, "⛔ This confirmation was already used. Run the command again.", cancellationToken);
                return;
            case Once.Unknown:
                await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Refused, "cannot record the confirmation as used (Redis unreachable)", intent.CorrelationId);
                await Ephemeral(click, "⛔ Kill switch request NOT published: the bot cannot record this confirmation as used (Redis is unreachable), so it cannot rule out a second use. Try again shortly, or use the platform's own kill switch.", cancellationToken);
                return;
        }
        var verb = intent.Engage ? "ENGAGE" : "RELEASE";
        var scope = SlackJson.Escape(intent.Scope);
        var request = new KillSwitchRequested
        {
            CorrelationId = intent.CorrelationId,
            Timestamp = time.GetUtcNow(),
            Engage = intent.Engage,
            Scope = intent.Scope,
            RequestedBy = click.UserId,
            Reason = "/ops killswitch, confirmed in Slack",
        };
        var lastKnown = cache.KillSwitches().GetValueOrDefault(intent.Scope);
        KillSwitchDelivery delivery;
        try
        {
            delivery = await killSwitch.PublishAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Failed, e.GetType().Name, intent.CorrelationId);
            await responder.RespondAsync(click.ResponseUrl, Replace($"❌ Kill switch request NOT published: the message bus is unreachable. Run `/ops killswitch` again."), cancellationToken);
            return;
        }
        if (delivery == KillSwitchDelivery.Unroutable)
        {
            await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Failed, "KillSwitchRequested returned unrouted: no trading system is subscribed", intent.CorrelationId);
            logger.LogError("Kill switch request {CorrelationId} ({Verb} {Scope}) reached no trading system: nothing is bound to opsbot.kill-switch-requested.v1", intent.CorrelationId, verb, intent.Scope);
            await responder.RespondAsync(click.ResponseUrl, Replace($"❌ Kill switch {verb} for *{scope}* was NOT received by any trading system: none is subscribed to kill switch requests (RabbitMQ returned the message unrouted). Nothing will act on it — use the platform's own kill switch now (correlation id `{intent.CorrelationId}`)."), cancellationToken);
            return;
        }
        await auditor.AuditAsync(click.UserId, typed, AuditOutcome.Allowed, "KillSwitchRequested published", intent.CorrelationId);
        confirmations.Watch(request, click.ResponseUrl, lastKnown);
        var wait = (int)Math.Round(options.KillSwitchConfirmTimeout.TotalSeconds);
        await responder.RespondAsync(click.ResponseUrl, Replace($"🛑 Kill switch {verb} for *{scope}* requested by <@{click.UserId}> (correlation id `{intent.CorrelationId}`) and received by the trading systems. Waiting up to {wait} s for the platform to confirm it; the answer follows here."), cancellationToken);
    }

    private async Task CancelKillSwitchAsync(ButtonClick click, CancellationToken cancellationToken)
    {
        await auditor.AuditAsync(click.UserId, "button killswitch cancel", AuditOutcome.Allowed, "cancelled, nothing published", Guid.NewGuid());
        await responder.RespondAsync(click.ResponseUrl, Replace("Kill switch request cancelled; nothing was published."), cancellationToken);
    }

    private Task Ephemeral(ButtonClick click, string text, CancellationToken cancellationToken)
    {
        var message = SlackJson.Ephemeral(text);
        message["replace_original"] = false;
        return responder.RespondAsync(click.ResponseUrl, message, cancellationToken);
    }

    private static JsonObject Replace(string text) => new()
    {
        ["replace_original"] = true,
        ["text"] = text,
        ["blocks"] = new JsonArray { new JsonObject { ["type"] = "section", ["text"] = SlackJson.Markdown(text) } },
    };

    /// <summary>The alert as it was, its buttons replaced by a line saying who did what.</summary>
    private static JsonObject Resolved(ButtonClick click, string note)
    {
        var blocks = new JsonArray();
        if (click.Message?["blocks"] is JsonArray original)
            foreach (var block in original)
                if (block is JsonObject b && SlackJson.String(b["block_id"]) != AlertActionsBlockId && SlackJson.String(b["type"]) != "actions")
                    blocks.Add(b.DeepClone());
        blocks.Add(new JsonObject { ["type"] = "context", ["elements"] = new JsonArray { SlackJson.Markdown(note) } });
        return new JsonObject
        {
            ["replace_original"] = true,
            ["text"] = SlackJson.String(click.Message?["text"]) ?? note,
            ["blocks"] = blocks,
        };
    }
}
