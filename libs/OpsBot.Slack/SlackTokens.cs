namespace OpsBot.Slack;

/// <summary>
/// The tokens one <see cref="SlackWebApi"/> calls with: the bot token (<c>xoxb-</c>) for every Web API method, the
/// app-level token (<c>xapp-</c>) only for <c>apps.connections.open</c>. Printing it never prints a token.
/// </summary>
public sealed record SlackTokens(string BotToken, string? AppToken = null)
{
    public override string ToString() => $"SlackTokens {{ AppToken = {(AppToken is null ? "none" : "set")} }}";
}

/// <summary>Where a message is: its channel and Slack's timestamp (<c>ts</c>), the message's id in that channel.</summary>
public sealed record SlackMessageRef(string Channel, string Ts);
