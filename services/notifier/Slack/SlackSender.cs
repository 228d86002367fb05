using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;
using OpsBot.Slack;

namespace OpsBot.Notifier.Slack;

/// <summary>
/// Slack as an <see cref="IAlertSender"/>: <c>chat.postMessage</c> to one channel (<c>SLACK_ALERT_CHANNEL</c>, or a
/// routed one) through the shared <see cref="SlackWebApi"/>; its <see cref="SlackApiException"/> becomes a
/// <see cref="DeliveryException"/> of the same kind.
/// </summary>
public sealed class SlackSender(SlackWebApi slack, SlackAlertFormatter formatter, SlackOptions options, string channel) : IAlertSender
{
    public SlackSender(SlackWebApi slack, SlackAlertFormatter formatter, SlackOptions options) : this(slack, formatter, options, options.Channel)
    {
    }

    public DeliveryChannel Channel => DeliveryChannel.Slack;
    public string Destination => channel;
    public double MessagesPerSecond => options.MessagesPerSecond;

    public PreparedMessage Prepare(IReadOnlyList<AlertRaised> alerts, TimeSpan window)
    {
        if (alerts.Count == 1) return new PreparedMessage(formatter.Format(alerts[0], channel), 1);
        var (payload, carried) = formatter.FormatDigest(alerts, window, channel);
        return new PreparedMessage(payload, carried);
    }

    public async Task<string?> SendAsync(PreparedMessage message, CancellationToken cancellationToken)
    {
        var to = message.Payload["channel"]?.GetValue<string>() ?? channel;
        try
        {
            return (await slack.PostMessageAsync(to, message.Payload, cancellationToken)).Ts;
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
