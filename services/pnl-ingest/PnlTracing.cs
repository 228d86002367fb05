using System.Diagnostics;
using System.Runtime.CompilerServices;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;

namespace OpsBot.PnlIngest;

/// <summary>
/// pnl-ingest's part of a PnL update's trace (tracing on: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>). A message taken
/// off Redis gets a <c>{channel} receive</c> span; the update it became carries that span's context through
/// the buffer (attached to the update object, so conflation and retries need no change to the buffer), and
/// its publish runs in a <c>pnl publish</c> span whose <b>parent</b> is that receive span, so MassTransit's
/// send span, risk-evaluator and the notifier continue the same trace.
/// Parent, not link: the buffer hands the bus exactly one update per strategy, the newest, and that update's
/// own trace should run from Redis to Slack. An update replaced in the buffer by a newer one of its strategy
/// (conflation) never reaches the bus: its trace ends with its receive span, and the one that replaced it
/// carries on. A publish that failed (broker down) leaves an error span; the update goes back into the
/// buffer with its context and the next publish is a second child of the same receive span. The gap between
/// the receive span's end and the publish span's start is the time the update waited in the buffer
/// (also the publish span's <c>opsbot.pnl.buffered_ms</c>).
/// </summary>
public static class PnlTracing
{
    private static readonly ConditionalWeakTable<PnlUpdatedV2, StrongBox<ActivityContext>> Received = new();

    /// <summary>The span of one message taken off the channel; null when tracing is off.</summary>
    public static Activity? StartReceive(string channel) =>
        OpsBotTracing.Source.StartActivity($"{channel} receive", ActivityKind.Consumer)
            ?.SetTag("messaging.system", "redis")
            .SetTag("messaging.operation.type", "receive")
            .SetTag("messaging.destination.name", channel);

    /// <summary>Ties the accepted update to its receive span, so its publish continues the trace.</summary>
    public static void Accepted(Activity? received, PnlUpdatedV2 update)
    {
        if (received is null) return;
        received.SetTag(OpsBotTracing.CorrelationIdTag, update.CorrelationId.ToString())
            .SetTag("opsbot.strategy", update.Strategy)
            .SetTag("opsbot.account", update.Account);
        Received.AddOrUpdate(update, new StrongBox<ActivityContext>(received.Context));
    }

    /// <summary>The span around publishing one update to the bus (until the broker confirmed); null when tracing is off.</summary>
    public static Activity? StartPublish(PnlUpdatedV2 update)
    {
        if (!OpsBotTracing.Source.HasListeners()) return null;
        var parent = Received.TryGetValue(update, out var box) ? box.Value : default;
        return OpsBotTracing.Source.StartActivity("pnl publish", ActivityKind.Internal, parent)
            ?.SetTag(OpsBotTracing.CorrelationIdTag, update.CorrelationId.ToString())
            .SetTag("opsbot.strategy", update.Strategy)
            .SetTag("opsbot.pnl.buffered_ms", Math.Max(0, (DateTimeOffset.UtcNow - update.Timestamp).TotalMilliseconds));
    }
}
