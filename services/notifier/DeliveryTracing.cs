using System.Diagnostics;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier;

/// <summary>
/// The notifier's part of an alert's trace (tracing on: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>). A consumer hands its
/// alert to the channel's delivery loop (<see cref="Pipeline.ChannelDispatcher"/>), which runs apart from the
/// consumer, so the alert carries its consume span's context; the loop sends inside a <c>{channel} deliver</c>
/// span whose parent is that context, and the Slack or Teams HTTP call (with its retries) is its child.
/// A digest carries several alerts: the span's parent is the first alert's trace and the others are links, so
/// each folded alert's trace still leads to the message that carried it.
/// </summary>
public static class DeliveryTracing
{
    /// <summary>The trace the consumer is in (default when tracing is off).</summary>
    public static ActivityContext Current() => Activity.Current?.Context ?? default;

    /// <summary>The span of one Slack or Teams message carrying <paramref name="alerts"/>; null when tracing is off.</summary>
    public static Activity? StartDeliver(DeliveryChannel channel, IReadOnlyList<(AlertRaised Alert, ActivityContext Trace)> alerts)
    {
        if (!OpsBotTracing.Source.HasListeners() || alerts.Count == 0) return null;
        var links = alerts.Skip(1).Where(a => a.Trace != default).Select(a => new ActivityLink(a.Trace)).ToList();
        return OpsBotTracing.Source.StartActivity($"{NotifierMetrics.Label(channel)} deliver", ActivityKind.Internal, alerts[0].Trace, links: links)
            ?.SetTag(OpsBotTracing.CorrelationIdTag, alerts[0].Alert.CorrelationId.ToString())
            .SetTag("opsbot.dedup_key", alerts[0].Alert.DedupKey)
            .SetTag("opsbot.alerts", alerts.Count);
    }
}
