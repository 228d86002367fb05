using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Teams;

/// <summary>Teams as an <see cref="IAlertSender"/>. Its destination is the name "teams", never the webhook URL.</summary>
public sealed class TeamsSender(TeamsWebhookClient client, TeamsCardFormatter formatter, TeamsOptions options) : IAlertSender
{
    public DeliveryChannel Channel => DeliveryChannel.Teams;
    public string Destination => TeamsOptions.DestinationName;
    public double MessagesPerSecond => options.MessagesPerSecond;

    public PreparedMessage Prepare(IReadOnlyList<AlertRaised> alerts, TimeSpan window)
    {
        if (alerts.Count == 1) return new PreparedMessage(formatter.Format(alerts[0]), 1);
        var (payload, carried) = formatter.FormatDigest(alerts, window);
        return new PreparedMessage(payload, carried);
    }

    public Task<string?> SendAsync(PreparedMessage message, CancellationToken cancellationToken) =>
        client.PostAsync(message.Payload, cancellationToken);
}
