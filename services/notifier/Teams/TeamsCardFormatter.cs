using System.Text;
using System.Text.Json.Nodes;
using OpsBot.Contracts;
using OpsBot.Notifier.Slack;

namespace OpsBot.Notifier.Teams;

/// <summary>
/// Turns alerts into a Teams webhook payload: an Adaptive Card wrapped in the Workflows message envelope
/// (<c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{...}}]}</c>),
/// or the legacy MessageCard (<c>TEAMS_PAYLOAD_FORMAT=messagecard</c>). Either way: a title with severity,
/// the text, facts from the labels, and a line with the correlation id, source and dedup key. Payloads stay
/// under <see cref="MaxBytes"/> (Teams refuses 28 KB and more): text and facts are cut with a marker until it fits.
/// </summary>
public sealed class TeamsCardFormatter(TeamsPayload format)
{
    /// <summary>Below Teams' 28 KB, with room for the HTTP envelope.</summary>
    private const int MaxBytes = 27 * 1024;
    private const int MaxFacts = 20;

    public JsonObject Format(AlertRaised alert)
    {
        // Start generous and halve the text budget until the serialized payload fits.
        for (var budget = 20_000; ; budget /= 2)
        {
            var payload = format == TeamsPayload.MessageCard ? MessageCard(alert, budget) : AdaptiveCard(alert, budget);
            if (Bytes(payload) < MaxBytes || budget < 64) return payload;
        }
    }

    /// <summary>One digest for alerts that piled up while the webhook was paced; returns how many it carries (they fit under <see cref="MaxBytes"/>).</summary>
    public (JsonObject Payload, int Carried) FormatDigest(IReadOnlyList<AlertRaised> alerts, TimeSpan window)
    {
        if (alerts.Count == 0) throw new ArgumentException("a digest needs alerts", nameof(alerts));
        var seconds = Math.Max(1, (int)Math.Ceiling(window.TotalSeconds));
        var lines = new List<string>();
        var size = 2_000; // envelope, title and footer
        foreach (var alert in alerts)
        {
            var line = Truncate($"{SlackAlertFormatter.Icon(alert.Severity)} **{alert.Severity.ToString().ToUpperInvariant()}** {alert.Title} · `{alert.DedupKey}` · correlation id {alert.CorrelationId}", 600);
            var cost = Encoding.UTF8.GetByteCount(line) * 2 + 80; // JSON escaping and the element around it
            if (lines.Count > 0 && size + cost >= MaxBytes) break;
            lines.Add(line);
            size += cost;
        }
        var carried = alerts.Take(lines.Count).ToList();
        var worst = carried.Max(a => a.Severity);
        var title = $"{SlackAlertFormatter.Icon(worst)} {SlackAlertFormatter.DigestTitle(lines.Count, seconds)}";
        var footer = "Folded by storm control · acknowledge or silence with /ops in Slack";
        JsonObject payload;
        if (format == TeamsPayload.MessageCard)
        {
            payload = new JsonObject
            {
                ["@type"] = "MessageCard",
                ["@context"] = "https://schema.org/extensions",
                ["summary"] = Truncate(title, 200),
                ["themeColor"] = Color(worst),
                ["title"] = title,
                ["text"] = string.Join("\n\n", lines),
                ["sections"] = new JsonArray { new JsonObject { ["text"] = footer } },
            };
        }
        else
        {
            var body = new JsonArray { Title(title, worst) };
            foreach (var line in lines) body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = line, ["wrap"] = true, ["spacing"] = "None" });
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = footer, ["isSubtle"] = true, ["size"] = "Small", ["wrap"] = true });
            payload = Envelope(body);
        }
        return (payload, lines.Count);
    }

    /// <summary>
    /// A follow-up card about an incident posted before (Teams webhooks cannot edit a card): <paramref name="title"/>
    /// (e.g. "✅ RESOLVED after 12 min: PnL loss …"), <paramref name="text"/>, and a line naming the original card
    /// (its title, when it was posted, the key).
    /// </summary>
    public JsonObject FormatFollowUp(string title, string text, AlertSeverity severity, string original)
    {
        title = Truncate(title, 200);
        text = Truncate(text, 4000);
        original = Truncate(original, 600);
        if (format == TeamsPayload.MessageCard)
        {
            return new JsonObject
            {
                ["@type"] = "MessageCard",
                ["@context"] = "https://schema.org/extensions",
                ["summary"] = title,
                ["themeColor"] = Color(severity),
                ["title"] = title,
                ["text"] = text,
                ["sections"] = new JsonArray { new JsonObject { ["text"] = original } },
            };
        }
        return Envelope(new JsonArray
        {
            Title(title, severity),
            new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true },
            new JsonObject { ["type"] = "TextBlock", ["text"] = original, ["isSubtle"] = true, ["size"] = "Small", ["wrap"] = true },
        });
    }

    public static int Bytes(JsonObject payload) => Encoding.UTF8.GetByteCount(payload.ToJsonString());

    private static JsonObject AdaptiveCard(AlertRaised alert, int budget)
    {
        var body = new JsonArray
        {
            Title(Truncate($"{SlackAlertFormatter.Icon(alert.Severity)} {alert.Severity.ToString().ToUpperInvariant()}: {alert.Title}", 200), alert.Severity),
            new JsonObject { ["type"] = "TextBlock", ["text"] = Truncate(alert.Text, budget), ["wrap"] = true },
        };
        var facts = new JsonArray();
        foreach (var (name, value) in alert.Labels.Take(MaxFacts))
            facts.Add(new JsonObject { ["title"] = Truncate(name, 100), ["value"] = Truncate(value, Math.Max(32, budget / 20)) });
        if (facts.Count > 0) body.Add(new JsonObject { ["type"] = "FactSet", ["facts"] = facts });
        body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = Footer(alert), ["isSubtle"] = true, ["size"] = "Small", ["wrap"] = true });
        return Envelope(body);
    }

    private static JsonObject MessageCard(AlertRaised alert, int budget)
    {
        var facts = new JsonArray();
        foreach (var (name, value) in alert.Labels.Take(MaxFacts))
            facts.Add(new JsonObject { ["name"] = Truncate(name, 100), ["value"] = Truncate(value, Math.Max(32, budget / 20)) });
        var title = Truncate($"{SlackAlertFormatter.Icon(alert.Severity)} {alert.Severity.ToString().ToUpperInvariant()}: {alert.Title}", 200);
        return new JsonObject
        {
            ["@type"] = "MessageCard",
            ["@context"] = "https://schema.org/extensions",
            ["summary"] = title,
            ["themeColor"] = Color(alert.Severity),
            ["title"] = title,
            ["text"] = Truncate(alert.Text, budget),
            ["sections"] = new JsonArray
            {
                new JsonObject { ["facts"] = facts },
                new JsonObject { ["text"] = Footer(alert) },
            },
        };
    }

    private static JsonObject Envelope(JsonArray body) => new()
    {
        ["type"] = "message",
        ["attachments"] = new JsonArray
        {
            new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["contentUrl"] = null,
                ["content"] = new JsonObject
                {
                    ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                    ["type"] = "AdaptiveCard",
                    ["version"] = "1.4",
                    ["msteams"] = new JsonObject { ["width"] = "Full" },
                    ["body"] = body,
                },
            },
        },
    };

    private static JsonObject Title(string text, AlertSeverity severity) => new()
    {
        ["type"] = "TextBlock",
        ["text"] = text,
        ["weight"] = "Bolder",
        ["size"] = "Medium",
        ["wrap"] = true,
        ["color"] = severity switch { AlertSeverity.Critical => "Attention", AlertSeverity.Warning => "Warning", _ => "Default" },
    };

    private static string Footer(AlertRaised alert) =>
        Truncate($"correlation id: {alert.CorrelationId} · source: {alert.Source} · key: {alert.DedupKey}", 600);

    private static string Color(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "D70000",
        AlertSeverity.Warning => "FFA500",
        _ => "0078D7",
    };

    private static string Truncate(string text, int max) => SlackAlertFormatter.Truncate(text, max);
}
