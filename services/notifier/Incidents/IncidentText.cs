using System.Globalization;
using OpsBot.Contracts;

namespace OpsBot.Notifier.Incidents;

/// <summary>The words of the lifecycle (thread replies, follow-ups), the same on every channel. Each names the key: in a digest's thread several incidents reply.</summary>
public static class IncidentText
{
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span < TimeSpan.FromMinutes(1)) return $"{(int)span.TotalSeconds} s";
        if (span < TimeSpan.FromHours(1)) return $"{(int)span.TotalMinutes} min";
        if (span < TimeSpan.FromDays(1)) return $"{(int)span.TotalHours} h {span.Minutes:D2} min";
        return $"{(int)span.TotalDays} d {span.Hours} h";
    }

    /// <summary>Slack-escaped (&amp;, &lt;, &gt;): text from an event never mentions anyone or breaks a link.</summary>
    private static string E(string text) => OpsBot.Notifier.Slack.SlackAlertFormatter.Escape(text);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Sev(AlertSeverity severity) => severity.ToString().ToUpperInvariant();

    /// <summary>"fired 3 times · first 04:55:01 UTC · last 05:01:33 UTC".</summary>
    public static string Tally(Incident incident) =>
        $"fired {incident.Count} {(incident.Count == 1 ? "time" : "times")} · first {Time(incident.FirstSeen)} · last {Time(incident.LastSeen)}";

    public static string SeverityChange(Incident incident, AlertSeverity shown) =>
        $"{(incident.Severity > shown ? "Severity raised" : "Severity lowered")} to {Sev(incident.Severity)} (was {Sev(shown)}) `{E(incident.Key)}`: {E(incident.LastAlert.Text)}"
        + (incident.AcknowledgedBy is { } owner ? $" — <@{owner}> owns this incident" : "");

    public static string Resolved(Incident incident) =>
        $"✅ Resolved after {Duration((incident.ResolvedAt ?? incident.LastSeen) - incident.FirstSeen)} `{E(incident.Key)}`: {E(incident.ResolvedReason ?? "")}"
        + (incident.ResolvedBy is { } by ? $" (resolved by <@{by}>)" : "");

    public static string Acknowledged(Incident incident) => $"acknowledged by <@{incident.AcknowledgedBy}> at {Time(incident.AcknowledgedAt ?? incident.LastSeen)}";

    public static string Reminder(Incident incident, DateTimeOffset now) =>
        $"⏰ Reminder `{E(incident.Key)}`: {Sev(incident.Severity)} and firing for {Duration(now - incident.FirstSeen)}, nobody has acknowledged it ({Tally(incident)}). Acknowledge to take it.";

    public static string Escalation(Incident incident, DateTimeOffset now, string? usergroup) =>
        $"🚨 Escalation: {(usergroup is null ? "" : $"<!subteam^{usergroup}> ")}CRITICAL for {Duration(now - (incident.CriticalSince ?? incident.FirstSeen))} and nobody has acknowledged it: {E(incident.LastAlert.Title)} (`{E(incident.Key)}`).";
}
