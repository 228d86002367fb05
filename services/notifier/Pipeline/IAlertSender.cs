using System.Text.Json.Nodes;
using OpsBot.Contracts;

namespace OpsBot.Notifier.Pipeline;

/// <summary>A message ready to post: the channel's payload and how many of the offered alerts it carries.</summary>
public sealed record PreparedMessage(JsonObject Payload, int Carried)
{
    public bool IsDigest => Carried > 1;
}

/// <summary>
/// One integration (Slack, Teams): turns alerts into one message (a single alert, or a digest of those that
/// piled up) and posts it. Failures are <see cref="DeliveryException"/>s classified by kind; retries are not
/// its business (the dispatcher's retry pipeline does them).
/// </summary>
public interface IAlertSender
{
    DeliveryChannel Channel { get; }
    /// <summary>Where it goes, as shown in <c>AlertDelivered.Destination</c>: a Slack channel id, or "teams" (never a URL).</summary>
    string Destination { get; }
    /// <summary>The channel's pace (Slack: about one message a second per channel).</summary>
    double MessagesPerSecond { get; }
    /// <summary>Formats the first of <paramref name="alerts"/> that fit into one message (at least one).</summary>
    PreparedMessage Prepare(IReadOnlyList<AlertRaised> alerts, TimeSpan window);
    /// <summary>Posts it; returns the channel's id for the message when it gives one (Slack <c>ts</c>).</summary>
    Task<string?> SendAsync(PreparedMessage message, CancellationToken cancellationToken);
}
