using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;
using OpsBot.Slack;

namespace OpsBot.Notifier.Slack;

/// <summary>
/// Slack as an <see cref="IAlertSender"/>: <c>chat.postMessage</c> to <c>SLACK_ALERT_CHANNEL</c> through the shared
/// <see cref="SlackWebApi"/>; its <see cref="SlackApiException"/> becomes a <see cref="DeliveryException"/> of the same kind.
/// </summary>
public sealed class SlackSender(SlackWebApi slack, SlackAlertFormatter formatter, SlackOptions options) : IAlertSender
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

    public async Task<string?> SendAsync(PreparedMessage message, CancellationToken cancellationToken)
    {
        var channel = message.Payload["channel"]?.GetValue<string>() ?? options.Channel;
        try
        {
            return (await slack.PostMessageAsync(channel, message.Payload, cancellationToken)).Ts;
        }
        catch (SlackApiException e)
        {
            throw ToDeliveryException(e);
        }
    }

    /// <summary>The shared client's classification in the notifier's terms (the kinds match one to one).</summary>
    internal static DeliveryException ToDeliveryException(SlackApiException e) => new(
        e.Kind switch
        {
            SlackErrorKind.RateLimited => DeliveryErrorKind.RateLimited,
            SlackErrorKind.Auth => DeliveryErrorKind.Auth,
            SlackErrorKind.Permanent => DeliveryErrorKind.Permanent,
            _ => DeliveryErrorKind.Transient,
        },
        e.Error, e.RetryAfter, e.TimedOut, e);
}
