using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Slack;

/// <summary>Slack as an <see cref="IAlertSender"/>: <c>chat.postMessage</c> to <c>SLACK_ALERT_CHANNEL</c>.</summary>
public sealed class SlackSender(SlackApiClient client, SlackAlertFormatter formatter, SlackOptions options) : IAlertSender
{
    public DeliveryChannel Channel => DeliveryChannel.Slack;
    public string Destination => options.Channel;
    public double MessagesPerSecond => options.MessagesPerSecond;

    public PreparedMessage Prepare(IReadOnlyList<AlertRaised> alerts, TimeSpan window)
    {
        if (alerts.Count == 1) return new PreparedMessage(formatter.Format(alerts[0], options.Channel), 1);
        var (payload, carried) = formatter.FormatDigest(alerts, window, options.Channel);
        return new PreparedMessage(payload, carried);
    }

    public Task<string?> SendAsync(PreparedMessage message, CancellationToken cancellationToken) =>
        client.PostMessageAsync(message.Payload, cancellationToken);
}
