using System.Text.Json.Nodes;

namespace OpsBot.Bot.Slack;

/// <summary>
/// A slash command as Slack sends it (form fields over HTTP, the envelope's payload over Socket Mode).
/// <see cref="TriggerId"/> is unique per invocation; a delivery Slack repeats carries the same one.
/// </summary>
public sealed record SlashCommandRequest(string Command, string Text, string UserId, string? ChannelId, Uri? ResponseUrl, string? TeamId, string? TriggerId = null)
{
    public static SlashCommandRequest From(Func<string, string?> field)
    {
        Uri? responseUrl = null;
        if (field("response_url") is { Length: > 0 } raw && Uri.TryCreate(raw, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            responseUrl = uri;
        return new SlashCommandRequest(
            field("command") ?? "/ops",
            field("text") ?? "",
            field("user_id") ?? "",
            field("channel_id"),
            responseUrl,
            field("team_id"),
            field("trigger_id"));
    }

    public static SlashCommandRequest FromJson(JsonObject payload) =>
        From(name => payload[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null);

    /// <summary>Never prints the response_url (it is a credential for answering).</summary>
    public override string ToString() => $"{Command} {Text} (user {UserId}, channel {ChannelId})";
}

/// <summary>Small helpers for Slack message JSON.</summary>
public static class SlackJson
{
    public static JsonObject Ephemeral(string text) => new() { ["response_type"] = "ephemeral", ["text"] = text };

    public static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    public static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    public static string? String(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Escapes text for mrkdwn so user input cannot mention everyone or forge links.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
