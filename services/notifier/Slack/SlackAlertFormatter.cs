using System.Text.Json.Nodes;
using OpsBot.Contracts;

namespace OpsBot.Notifier.Slack;

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
    private const int MaxBlocks = 50;
    public const string TruncationMarker = "… [truncated]";
    public const string AcknowledgeActionId = "opsbot_alert_ack";
    public const string SilenceActionId = "opsbot_alert_silence_1h";

    private static string CorrelationSuffix(Guid correlationId) => $" | correlation id: {correlationId}";

    public JsonObject Format(AlertRaised alert, string channel)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = PlainText(Truncate($"{Icon(alert.Severity)} {alert.Severity.ToString().ToUpperInvariant()} · FIRING: {alert.Title}", MaxHeaderChars)),
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

    /// <summary>
    /// One digest message for alerts that piled up while the channel was paced: a header "N alerts in the
    /// last X s", one line per alert (severity, title, key, correlation id) packed into sections of at most
    /// 3000 characters, and at most 50 blocks. Returns the payload and how many of <paramref name="alerts"/>
    /// it carries (the first ones, in order); the rest go into the next message.
    /// </summary>
    public (JsonObject Payload, int Carried) FormatDigest(IReadOnlyList<AlertRaised> alerts, TimeSpan window, string channel)
    {
        if (alerts.Count == 0) throw new ArgumentException("a digest needs alerts", nameof(alerts));
        const int reservedBlocks = 2; // header + context
        var sections = new List<string>();
        var current = new System.Text.StringBuilder();
        var carried = 0;
        foreach (var alert in alerts)
        {
            var line = DigestLine(alert);
            if (current.Length > 0 && current.Length + 1 + line.Length > MaxSectionChars)
            {
                if (sections.Count + 1 + reservedBlocks >= MaxBlocks) break;
                sections.Add(current.ToString());
                current.Clear();
            }
            if (current.Length > 0) current.Append('\n');
            current.Append(line);
            carried++;
        }
        if (current.Length > 0) sections.Add(current.ToString());

        var included = alerts.Take(carried).ToList();
        var worst = included.Max(a => a.Severity);
        var seconds = Math.Max(1, (int)Math.Ceiling(window.TotalSeconds));
        var title = DigestTitle(carried, seconds);
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Truncate($"{Icon(worst)} {title}", MaxHeaderChars)) },
        };
        foreach (var section in sections) blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Markdown(section) });
        var sources = string.Join(", ", included.Select(a => a.Source).Distinct().Take(5));
        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray
            {
                Markdown(Truncate($"folded by storm control (Slack takes about one message a second per channel) · source *{Escape(sources)}* · acknowledge or silence with `/ops`", 300)),
            },
        });

        var fallback = new System.Text.StringBuilder($"{title}: ");
        foreach (var alert in included)
        {
            var part = $"[{alert.Severity.ToString().ToUpperInvariant()}] {alert.Title} ({alert.DedupKey}){CorrelationSuffix(alert.CorrelationId)}; ";
            if (fallback.Length + part.Length > MaxFallbackChars - TruncationMarker.Length) { fallback.Append(TruncationMarker); break; }
            fallback.Append(part);
        }

        return (new JsonObject
        {
            ["channel"] = channel,
            ["text"] = fallback.ToString().TrimEnd(' ', ';'),
            ["blocks"] = blocks,
            ["unfurl_links"] = false,
            ["unfurl_media"] = false,
        }, carried);
    }

    public static string DigestTitle(int count, int seconds) => $"{count} alerts in the last {seconds} s";

    private static string DigestLine(AlertRaised alert) =>
        Truncate($"{Icon(alert.Severity)} *{Escape(alert.Title)}* `{Escape(alert.DedupKey)}` · correlation id `{alert.CorrelationId}`", MaxSectionChars);

    /// <summary>The plain-text form (notifications, screen readers); always ends with the correlation id.</summary>
    private static string FallbackText(AlertRaised alert)
    {
        var suffix = CorrelationSuffix(alert.CorrelationId);
        var body = $"[{alert.Severity.ToString().ToUpperInvariant()}] {alert.Title}: {alert.Text}";
        return Truncate(body, MaxFallbackChars - suffix.Length) + suffix;
    }

    public static string Truncate(string text, int max) =>
        text.Length <= max ? text : text[..Math.Max(0, max - TruncationMarker.Length)].TrimEnd() + TruncationMarker;

    internal static string Icon(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "🔴",
        AlertSeverity.Warning => "🟠",
        _ => "🔵",
    };

    internal static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    internal static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    internal static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

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
