namespace OpsBot.Notifier.Routing;

/// <summary>
/// Where one alert goes: the Slack channels (in route order, no repeats) and whether Teams gets it; <see cref="Routes"/>
/// names the routes that matched. <see cref="IsDefault"/>: no route took it, it goes where each channel sends by default
/// (<c>SLACK_ALERT_CHANNEL</c>, the Teams webhook).
/// </summary>
public sealed record AlertDestinations(IReadOnlyList<string> SlackChannels, bool Teams, string Routes)
{
    public static readonly AlertDestinations DefaultRoute = new([], true, "default");

    public bool IsDefault => ReferenceEquals(this, DefaultRoute);
}
