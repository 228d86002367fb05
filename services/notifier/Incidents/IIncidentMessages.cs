using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Incidents;

/// <summary>A lifecycle message: a thread reply on Slack, a follow-up card on Teams.</summary>
public sealed record IncidentNote(string Title, string Text, AlertSeverity Severity);

/// <summary>
/// One channel's incident messages after the first post (which is the ordinary alert delivery, foldable into a digest):
/// edit the message in place, reply in its thread, post a top-level note. Each call goes through the channel's
/// dispatcher (paced, retried) and throws <see cref="AlertDeliveryException"/> when it finally fails.
/// </summary>
public interface IIncidentMessages
{
    DeliveryChannel Channel { get; }
    /// <summary>Slack edits its message (<c>chat.update</c>); a Teams webhook cannot.</summary>
    bool CanEdit { get; }
    /// <summary>Edits the incident's message to show it as it is now (no-op where the channel cannot edit).</summary>
    Task<DeliveryReceipt> UpdateAsync(Incident incident, IncidentMessage message, CancellationToken cancellationToken);
    /// <summary>Replies in the message's thread (Teams: a follow-up card naming the original).</summary>
    Task<DeliveryReceipt> ReplyAsync(Incident incident, IncidentMessage message, IncidentNote note, CancellationToken cancellationToken);
    /// <summary>A top-level note to <paramref name="destination"/> (null: the channel's alert destination).</summary>
    Task<DeliveryReceipt> NoteAsync(string? destination, IncidentNote note, CancellationToken cancellationToken);
}
