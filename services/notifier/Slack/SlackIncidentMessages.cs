using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Slack;

/// <summary>Slack incident messages: <c>chat.update</c> of the incident's message, thread replies, notes; paced and retried by the dispatcher of the message's channel.</summary>
public sealed class SlackIncidentMessages(
    ISlackChat chat,
    SlackIncidentFormatter formatter,
    SlackOptions options,
    [FromKeyedServices(DeliveryChannel.Slack)] ChannelDispatchers dispatchers) : IIncidentMessages
{
    public DeliveryChannel Channel => DeliveryChannel.Slack;
    public bool CanEdit => true;

    public Task<DeliveryReceipt> UpdateAsync(Incident incident, IncidentMessage message, CancellationToken cancellationToken)
    {
        var channel = message.Channel ?? options.Channel;
        var payload = formatter.Format(incident, channel);
        return dispatchers.For(channel).RunAsync("update", async ct =>
        {
            await chat.UpdateAsync(channel, message.Ts!, payload, ct);
            return message.Ts; // an edit keeps the message's ts
        }, cancellationToken);
    }

    public Task<DeliveryReceipt> ReplyAsync(Incident incident, IncidentMessage message, IncidentNote note, CancellationToken cancellationToken)
    {
        var channel = message.Channel ?? options.Channel;
        var payload = SlackIncidentFormatter.Note(channel, note.Text);
        return dispatchers.For(channel).RunAsync("reply", ct => chat.ReplyAsync(channel, message.Ts!, payload, ct), cancellationToken);
    }

    public Task<DeliveryReceipt> NoteAsync(string? destination, IncidentNote note, CancellationToken cancellationToken)
    {
        var channel = destination ?? options.Channel;
        var payload = SlackIncidentFormatter.Note(channel, note.Text);
        return dispatchers.For(channel).RunAsync("note", ct => chat.PostAsync(channel, payload, ct), cancellationToken);
    }
}
