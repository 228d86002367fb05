using OpsBot.Contracts;

namespace OpsBot.Notifier.Pipeline;

/// <summary>
/// An incident's message per destination is kept under a label: <c>slack</c> for <c>SLACK_ALERT_CHANNEL</c> (as before
/// routing existed), <c>slack:{channel id}</c> for a routed channel, <c>teams</c> for the webhook. Dedup claims use the same labels.
/// </summary>
public static class DestinationLabel
{
    public static string Of(DeliveryChannel channel, string destination, string defaultDestination) =>
        channel == DeliveryChannel.Teams ? "teams" : destination == defaultDestination ? "slack" : $"slack:{destination}";

    public static DeliveryChannel ChannelOf(string label) =>
        label == "slack" || label.StartsWith("slack:", StringComparison.Ordinal) ? DeliveryChannel.Slack : DeliveryChannel.Teams;
}
