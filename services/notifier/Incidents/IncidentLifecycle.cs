using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;
using StackExchange.Redis;

namespace OpsBot.Notifier.Incidents;

/// <summary>
/// What one destination's pipeline does with one alert: <see cref="Action"/>, on <see cref="Incident"/> (null when the store
/// is unreachable). <see cref="Label"/> is where the incident keeps that destination's message (<see cref="DestinationLabel"/>).
/// </summary>
public sealed record IncidentStep(DeliveryChannel Channel, MessageAction Action, Incident? Incident, string Identity, string Claim, AlertRaised Alert)
{
    public string Label { get; init; } = NotifierMetrics.Label(Channel);

    /// <summary>The severity the message showed before a <see cref="MessageAction.SeverityChanged"/>.</summary>
    public AlertSeverity ShownBefore { get; init; }
}

/// <summary>
/// The incident lifecycle across channels: which message an alert becomes (first post, edit, severity change with a
/// thread reply, or quiet), acknowledgement (ownership: the message shows who took it, reminders and escalation stop),
/// resolution (the message edited to ✅ resolved without buttons and a thread reply; Teams: a follow-up card), and the
/// reminders and escalation the <see cref="IncidentReminders"/> loop claims. State lives in <see cref="IncidentStore"/>.
/// With Redis unreachable it degrades to today's behaviour: every alert that passes dedup is posted as a new message
/// (nothing is lost, only the edits are), a resolution is posted as a new note, and it says so (warning, metric).
/// </summary>
public sealed class IncidentLifecycle(
    IncidentStore store,
    IncidentPolicy policy,
    IEnumerable<IIncidentMessages> channels,
    DedupStage dedup,
    TimeProvider time,
    NotifierMetrics metrics,
    ILogger<IncidentLifecycle> logger)
{
    private static readonly TimeSpan WaitPoll = TimeSpan.FromMilliseconds(250);
    private readonly Dictionary<DeliveryChannel, IIncidentMessages> _channels = channels.ToDictionary(c => c.Channel);
    private int _degraded;

    public IncidentPolicy Policy => policy;

    public IIncidentMessages? On(DeliveryChannel channel) => _channels.GetValueOrDefault(channel);

    /// <summary>Decides what <paramref name="alert"/> becomes on <paramref name="channel"/>'s default destination.</summary>
    public Task<IncidentStep> BeginAsync(DeliveryChannel channel, AlertRaised alert, string claim, CancellationToken cancellationToken) =>
        BeginAsync(channel, NotifierMetrics.Label(channel), alert, claim, cancellationToken);

    /// <summary>Decides what <paramref name="alert"/> becomes on the destination <paramref name="label"/>; waits while another delivery posts the incident's first message there.</summary>
    public async Task<IncidentStep> BeginAsync(DeliveryChannel channel, string label, AlertRaised alert, string claim, CancellationToken cancellationToken)
    {
        var identity = DedupStage.IdentityOf(alert);
        var canEdit = On(channel)?.CanEdit ?? false;
        while (true)
        {
            if (!store.Connected)
            {
                // Not even tried: a command to a disconnected Redis would wait out its timeout on every alert.
                Degraded("not connected");
                return new IncidentStep(channel, MessageAction.Post, null, identity, claim, alert) { Label = label };
            }
            MessageAction action = MessageAction.Post;
            AlertSeverity shownBefore = default;
            Incident? incident;
            try
            {
                var now = time.GetUtcNow();
                var stale = false;
                (_, incident, _) = await store.UpdateAsync(identity, current =>
                {
                    stale = IncidentRules.IsStale(current, alert);
                    if (stale)
                    {
                        action = MessageAction.Quiet;
                        return null;
                    }
                    var observed = IncidentRules.Observe(current, alert, now);
                    shownBefore = observed.MessageOn(label)?.ShownSeverity ?? alert.Severity;
                    (var decided, action) = IncidentRules.Decide(observed, label, alert, claim, canEdit, now, policy);
                    return ReferenceEquals(decided, current) ? null : decided;
                });
                Restored();
                if (stale)
                {
                    logger.LogInformation("Alert {DedupKey} raised at {Raised:O} is older than its resolution at {Resolved:O}: not shown (it arrived late or was held back)",
                        alert.DedupKey, alert.Timestamp, incident?.ResolvedAsOf);
                    return new IncidentStep(channel, MessageAction.Quiet, incident, identity, claim, alert) { Label = label };
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Degraded(e.GetType().Name);
                return new IncidentStep(channel, MessageAction.Post, null, identity, claim, alert) { Label = label };
            }
            if (action != MessageAction.Wait) return new IncidentStep(channel, action, incident, identity, claim, alert) { ShownBefore = shownBefore, Label = label };
            await Task.Delay(WaitPoll, time, cancellationToken);
        }
    }

    /// <summary>The first message was posted (alone or in a digest): records where; shows a resolution that came meanwhile.</summary>
    public async Task PostedAsync(IncidentStep step, string destination, DeliveryReceipt receipt, CancellationToken cancellationToken)
    {
        if (step.Incident is null || !store.Connected) return;
        var label = step.Label;
        Incident? after;
        try
        {
            (_, after, _) = await store.UpdateAsync(step.Identity, i => i?.Id == step.Incident.Id
                ? IncidentRules.Posted(i, label, destination, receipt.MessageRef ?? "posted", receipt.FoldedWith > 1, step.Alert.Severity)
                : null);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The claim times out (IncidentPolicy.ClaimTimeout) and the next alert posts a new message: nothing is lost.
            Degraded(e.GetType().Name);
            return;
        }
        if (after is { Status: IncidentStatus.Resolved } && after.Id == step.Incident.Id) await ShowResolutionAsync(after, step.Identity, label, cancellationToken);
    }

    /// <summary>Posting the first message finally failed: the claim goes back, so the next delivery of the incident posts.</summary>
    public async Task PostFailedAsync(IncidentStep step)
    {
        if (step.Incident is null) return;
        try { await store.UpdateAsync(step.Identity, i => i is null ? null : NullIfSame(i, IncidentRules.ReleaseClaim(i, step.Label, step.Claim))); }
        catch (Exception e) when (e is RedisException or TimeoutException) { Degraded(e.GetType().Name); }
    }

    /// <summary>The incident's message on this channel is gone (an edit failed for good): this delivery claims a new first message.</summary>
    public async Task<IncidentStep> RepostAsync(IncidentStep step)
    {
        if (step.Incident is null) return step with { Action = MessageAction.Post };
        var label = step.Label;
        var now = time.GetUtcNow();
        try
        {
            var (_, after, _) = await store.UpdateAsync(step.Identity, i => i?.Id == step.Incident.Id
                ? i.WithMessage(label, new IncidentMessage { Claim = step.Claim, ClaimedAt = now, ShownSeverity = step.Alert.Severity })
                : null);
            return step with { Action = MessageAction.Post, Incident = after?.Id == step.Incident.Id ? after : null };
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Degraded(e.GetType().Name);
            return step with { Action = MessageAction.Post, Incident = null };
        }
    }

    /// <summary>A repeat (edit) or a severity change (edit, then a thread reply) on a message that exists.</summary>
    public async Task<DeliveryReceipt> ApplyAsync(IncidentStep step, CancellationToken cancellationToken)
    {
        var messages = On(step.Channel) ?? throw new InvalidOperationException($"no incident messages for {step.Channel}");
        var incident = step.Incident!;
        var label = step.Label;
        var message = incident.MessageOn(label)!;
        if (step.Action != MessageAction.SeverityChanged) return await messages.UpdateAsync(incident, message, cancellationToken);

        var note = new IncidentNote($"{IncidentText.Sev(incident.Severity)}: {incident.LastAlert.Title}", IncidentText.SeverityChange(incident, step.ShownBefore), incident.Severity);
        DeliveryReceipt receipt;
        try
        {
            await messages.UpdateAsync(incident, message, cancellationToken);
            receipt = await messages.ReplyAsync(incident, message, note, cancellationToken);
        }
        catch (AlertDeliveryException)
        {
            // Not shown: give the change back, so the bus's next try (or the next alert) shows it.
            try { await store.UpdateAsync(step.Identity, i => i?.Id == incident.Id ? IncidentRules.UnclaimSeverity(i, label, incident.Severity, step.ShownBefore) : null); }
            catch (Exception e) when (e is RedisException or TimeoutException) { Degraded(e.GetType().Name); }
            throw;
        }
        logger.LogInformation("Incident {DedupKey} on {Channel}: severity {Old} → {New}, message edited and a reply posted", incident.Key, step.Channel, step.ShownBefore, incident.Severity);
        return receipt with { MessageRef = message.Ts };
    }

    /// <summary>
    /// An operator took the incident (button or <c>/ops ack</c>): it is acknowledged by them, the message says so, reminders
    /// and escalation stop. Someone not in <c>NOTIFIER_ACK_USERS</c> (when set) is refused: a warning and a counter.
    /// Redis errors reach the caller (the bus retries the message).
    /// </summary>
    public async Task AcknowledgeAsync(AlertAcknowledged ack, CancellationToken cancellationToken)
    {
        if (!policy.MayAcknowledge(ack.AcknowledgedBy))
        {
            metrics.AckRefused();
            logger.LogWarning("Acknowledgement of {DedupKey} by {AcknowledgedBy} refused: not in NOTIFIER_ACK_USERS; the incident stays unacknowledged", ack.DedupKey, ack.AcknowledgedBy);
            return;
        }
        var now = time.GetUtcNow();
        var (_, after, changed) = await store.UpdateAsync(DedupStage.IdentityOf(ack.DedupKey), i => i is null ? null : IncidentRules.Acknowledge(i, ack.AcknowledgedBy, now));
        if (!changed || after is null)
        {
            logger.LogInformation("Alert {DedupKey} acknowledged by {AcknowledgedBy}: no open incident of that key to take (resolved, unknown, or already theirs)", ack.DedupKey, ack.AcknowledgedBy);
            return;
        }
        logger.LogInformation("Incident {DedupKey} acknowledged by {AcknowledgedBy}: reminders and escalation stop", ack.DedupKey, ack.AcknowledgedBy);
        foreach (var (label, message) in after.Messages)
        {
            if (On(DestinationLabel.ChannelOf(label)) is not { CanEdit: true } messages || !message.Posted) continue;
            if (message.Digest)
                await messages.ReplyAsync(after, message, new IncidentNote("Acknowledged", $"`{after.Key}` {IncidentText.Acknowledged(after)}", after.Severity), cancellationToken);
            else
                await messages.UpdateAsync(after, message, cancellationToken);
        }
    }

    /// <summary>
    /// The condition cleared: the incident is resolved, its message edited to ✅ resolved (no buttons) with a thread reply
    /// (Teams: a follow-up card), and the key's dedup claims dropped so that firing again opens a new incident at once.
    /// With Redis unreachable the resolution is posted as a new note on each channel instead (it is not lost).
    /// </summary>
    public async Task ResolveAsync(AlertResolved resolved, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var identity = DedupStage.IdentityOf(resolved.DedupKey);
        Incident? before, after;
        try
        {
            if (!store.Connected) throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "not connected");
            (before, after, _) = await store.UpdateAsync(identity, i => i is null ? IncidentRules.ResolvedUnseen(resolved, now) : IncidentRules.Resolve(i, resolved, now));
            Restored();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Degraded(e.GetType().Name);
            var note = new IncidentNote($"✅ RESOLVED: {resolved.DedupKey}", $"✅ Resolved `{resolved.DedupKey}`: {resolved.Reason}", AlertSeverity.Info);
            foreach (var messages in _channels.Values) await messages.NoteAsync(null, note, cancellationToken);
            return;
        }
        await dedup.ForgetAsync(resolved.DedupKey);
        if (before is null || after is null)
        {
            logger.LogInformation("Resolution of {DedupKey} ({Reason}): no incident of that key; nothing to edit (recorded, so an older alert of it arriving later is not shown)",
                resolved.DedupKey, resolved.Reason);
            return;
        }
        logger.LogInformation("Incident {DedupKey} resolved after {Duration}: {Reason}", after.Key, IncidentText.Duration((after.ResolvedAt ?? now) - after.FirstSeen), after.ResolvedReason);
        foreach (var label in after.Messages.Keys.Order(StringComparer.Ordinal)) await ShowResolutionAsync(after, identity, label, cancellationToken);
    }

    private async Task ShowResolutionAsync(Incident incident, string identity, string label, CancellationToken cancellationToken)
    {
        if (On(DestinationLabel.ChannelOf(label)) is not { } messages) return;
        if (incident.MessageOn(label) is not { Posted: true, ResolvedShown: false } message) return;
        if (messages.CanEdit && !message.Digest) await messages.UpdateAsync(incident, message, cancellationToken);
        await messages.ReplyAsync(incident, message, new IncidentNote($"✅ RESOLVED: {incident.LastAlert.Title}", IncidentText.Resolved(incident), AlertSeverity.Info), cancellationToken);
        await store.UpdateAsync(identity, i => i?.Id == incident.Id && i.MessageOn(label) is { } m
            ? i.WithMessage(label, m with { ResolvedShown = true })
            : null);
    }

    private static Incident? NullIfSame(Incident before, Incident after) => ReferenceEquals(before, after) ? null : after;

    private void Degraded(string why)
    {
        metrics.IncidentStoreFallback();
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
            logger.LogWarning("Incidents cannot be read from Redis ({Why}): every alert is posted as a new message and resolutions as new notes until it is back", why);
    }

    private void Restored()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1) logger.LogInformation("Incidents are kept in Redis again");
    }
}
