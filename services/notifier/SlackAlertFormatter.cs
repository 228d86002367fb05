using System.Text.Json.Nodes;
using OpsBot.Contracts;

namespace OpsBot.Notifier;

/// <summary>
/// Turns an alert into a <c>chat.postMessage</c> body: Block Kit (header with severity, the text,
/// fields, a context line with correlation id and source, buttons "Acknowledge" and "Silence 1h")
/// and a plain-text fallback that ends with the correlation id. Slack's limits are kept: 150
/// characters a header, 3000 a section, 2000 a field, 10 fields, 50 blocks; longer text is cut
/// cleanly with a marker.
/// </summary>
public sealed class SlackAlertFormatter
{
    public const int MaxHeaderChars = 150;
    public const int MaxSectionChars = 3000;
    public const int MaxFieldChars = 2000;
    public const int MaxFields = 10;
    public const int MaxFallbackChars = 3500;
    public const string TruncationMarker = "… [truncated]";
    public const string AcknowledgeActionId = "opsbot_alert_ack";
    public const string SilenceActionId = "opsbot_alert_silence_1h";

    public static string CorrelationSuffix(Guid correlationId) => $" | correlation id: {correlationId}";

    public JsonObject Format(AlertRaised alert, string channel)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = PlainText(Truncate($"{Icon(alert.Severity)} {alert.Severity.ToString().ToUpperInvariant()}: {alert.Title}", MaxHeaderChars)),
            },
            new JsonObject
            {
                ["type"] = "section",
                ["text"] = Markdown(Truncate(Escape(alert.Text), MaxSectionChars)),
            },
        };

        var fields = new JsonArray();
        foreach (var (name, value) in alert.Labels.Take(MaxFields))
            fields.Add(Markdown(Truncate($"*{Escape(name)}*\n{Escape(value)}", MaxFieldChars)));
        if (fields.Count > 0) blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = fields });

        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray
            {
                Markdown($"correlation id `{alert.CorrelationId}`"),
                Markdown($"source *{Escape(alert.Source)}*"),
                Markdown(Truncate($"key `{Escape(alert.DedupKey)}`", 300)),
            },
        });
        blocks.Add(new JsonObject
        {
            ["type"] = "actions",
            ["block_id"] = "opsbot_alert_actions",
            ["elements"] = new JsonArray
            {
                Button("Acknowledge", AcknowledgeActionId, alert.DedupKey, "primary"),
                Button("Silence 1h", SilenceActionId, alert.DedupKey, null),
            },
        });

        return new JsonObject
        {
            ["channel"] = channel,
            ["text"] = FallbackText(alert),
            ["blocks"] = blocks,
            ["unfurl_links"] = false,
            ["unfurl_media"] = false,
        };
    }

    /// <summary>The plain-text form (notifications, screen readers); always ends with the correlation id.</summary>
    public static string FallbackText(AlertRaised alert)
    {
        var suffix = CorrelationSuffix(alert.CorrelationId);
        var body = $"[{alert.Severity.ToString().ToUpperInvariant()}] {alert.Title}: {alert.Text}";
        return Truncate(body, MaxFallbackChars - suffix.Length) + suffix;
    }

    public static string Truncate(string text, int max) =>
        text.Length <= max ? text : text[..Math.Max(0, max - TruncationMarker.Length)].TrimEnd() + TruncationMarker;

    private static string Icon(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "🔴",
        AlertSeverity.Warning => "🟠",
        _ => "🔵",
    };

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    private static JsonObject Button(string label, string actionId, string value, string? style)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["text"] = PlainText(label),
            ["action_id"] = actionId,
            ["value"] = Truncate(value, 2000),
        };
        if (style is not null) button["style"] = style;
        return button;
    }
}
