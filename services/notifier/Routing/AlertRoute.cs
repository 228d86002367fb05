namespace OpsBot.Notifier.Routing;

/// <summary>
/// One route of the routing table: the alerts it takes (<see cref="Match"/>), where they go (a Slack channel, Teams,
/// or both) and whether routes after it are tried too (<see cref="Continue"/>, Alertmanager's <c>continue</c>).
/// </summary>
public sealed record AlertRoute(string Name, AlertMatcher Match, string? SlackChannel, bool Teams, bool Continue);
