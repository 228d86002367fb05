using System.Text.Json.Nodes;
using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;

namespace OpsBot.Notifier.Slack;

/// <summary>
/// An incident's one Slack message as it is now (for <c>chat.update</c>): the alert's message (the latest alert of the
/// incident, <see cref="SlackAlertFormatter"/>) with a header that shows the status — FIRING, ACKNOWLEDGED or
/// ✅ RESOLVED after its duration — a context line with the tally (count, first and last seen) and who acknowledged,
/// and no buttons once resolved. Thread replies are plain mrkdwn text.
/// </summary>
public sealed class SlackIncidentFormatter(SlackAlertFormatter alerts)
{
    public JsonObject Format(Incident incident, string channel)
    {
        var alert = incident.LastAlert;
        var payload = alerts.Format(alert, channel);
        var blocks = payload["blocks"]!.AsArray();
        var status = incident.Status switch
        {
            IncidentStatus.Resolved => $"✅ RESOLVED after {IncidentText.Duration((incident.ResolvedAt ?? incident.LastSeen) - incident.FirstSeen)} (was {IncidentText.Sev(incident.Severity)})",
            IncidentStatus.Acknowledged => $"{SlackAlertFormatter.Icon(incident.Severity)} {IncidentText.Sev(incident.Severity)} · ACKNOWLEDGED",
            _ => $"{SlackAlertFormatter.Icon(incident.Severity)} {IncidentText.Sev(incident.Severity)} · FIRING",
        };
        blocks[0] = new JsonObject
        {
            ["type"] = "header",
            ["text"] = SlackAlertFormatter.PlainText(SlackAlertFormatter.Truncate($"{status}: {alert.Title}", SlackAlertFormatter.MaxHeaderChars)),
        };

        var facts = new JsonArray { SlackAlertFormatter.Markdown(IncidentText.Tally(incident)) };
        if (incident.AcknowledgedBy is not null) facts.Add(SlackAlertFormatter.Markdown(IncidentText.Acknowledged(incident)));
        if (incident.Status == IncidentStatus.Resolved)
            facts.Add(SlackAlertFormatter.Markdown(SlackAlertFormatter.Truncate(IncidentText.Resolved(incident), 1000)));
        var actions = blocks.Select((b, i) => (b, i)).FirstOrDefault(x => x.b?["type"]?.GetValue<string>() == "actions");
        var statusBlock = new JsonObject { ["type"] = "context", ["block_id"] = "opsbot_incident_status", ["elements"] = facts };
        if (actions.b is null) blocks.Add(statusBlock);
        else if (incident.Status == IncidentStatus.Resolved) blocks[actions.i] = statusBlock; // resolved: no buttons
        else blocks.Insert(actions.i, statusBlock);

        payload["text"] = SlackAlertFormatter.Truncate($"{status}: {payload["text"]!.GetValue<string>()}", SlackAlertFormatter.MaxFallbackChars);
        return payload;
    }

    /// <summary>A plain thread reply or top-level note.</summary>
    public static JsonObject Note(string channel, string text) => new()
    {
        ["channel"] = channel,
        ["text"] = SlackAlertFormatter.Truncate(text, SlackAlertFormatter.MaxFallbackChars),
        ["unfurl_links"] = false,
        ["unfurl_media"] = false,
    };
}
