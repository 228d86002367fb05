using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Teams;

/// <summary>
/// Teams incident messages: a webhook cannot edit or thread, so an edit is a no-op and a reply (severity change,
/// resolution) is a follow-up card that names the original (its title, when it was posted, the key).
/// </summary>
public sealed class TeamsIncidentMessages(
    TeamsWebhookClient client,
    TeamsCardFormatter formatter,
    TimeProvider time,
    [FromKeyedServices(DeliveryChannel.Teams)] ChannelDispatchers dispatchers) : IIncidentMessages
{
    public DeliveryChannel Channel => DeliveryChannel.Teams;
    public bool CanEdit => false;

    public Task<DeliveryReceipt> UpdateAsync(Incident incident, IncidentMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(new DeliveryReceipt(message.Ts, 0, 1, time.GetUtcNow()));

    public Task<DeliveryReceipt> ReplyAsync(Incident incident, IncidentMessage message, IncidentNote note, CancellationToken cancellationToken)
    {
        var original = $"Follow-up to \"{incident.LastAlert.Title}\" posted at {IncidentText.Time(incident.FirstSeen)} · key: {incident.Key}";
        var payload = formatter.FormatFollowUp(note.Title, note.Text, note.Severity, original);
        return dispatchers.Default.RunAsync("reply", ct => client.PostAsync(payload, ct), cancellationToken);
    }

    public Task<DeliveryReceipt> NoteAsync(string? destination, IncidentNote note, CancellationToken cancellationToken)
    {
        var payload = formatter.FormatFollowUp(note.Title, note.Text, note.Severity, "");
        return dispatchers.Default.RunAsync("note", ct => client.PostAsync(payload, ct), cancellationToken);
    }
}
