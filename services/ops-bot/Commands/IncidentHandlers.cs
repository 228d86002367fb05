using System.Text;
using MassTransit;
using OpsBot.Bot.Incidents;
using OpsBot.Bot.Slack;
using OpsBot.Contracts;

namespace OpsBot.Bot.Commands;

/// <summary><c>/ops alerts</c>: the open incidents from the incident view, newest first, at most <see cref="MaxLines"/>.</summary>
public sealed class AlertsHandler(IncidentView view, IncidentLinks links, TimeProvider time) : ICommandHandler<AlertsCommand>
{
    public const int MaxLines = 15;
    public const int MaxTitle = 80;

    public async Task<CommandReply> HandleAsync(AlertsCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        OpenIncidents open;
        try { open = await view.OpenAsync(MaxLines); }
        catch (IncidentViewUnavailableException) { return IncidentAnswers.Unavailable; }
        if (open.Shown.Count == 0) return new CommandReply("No open incidents.");

        var shown = await links.WithLinksAsync(open.Shown, cancellationToken);
        var now = time.GetUtcNow();
        var text = new StringBuilder($"*Open incidents* ({open.Shown.Count + open.More})\n");
        foreach (var incident in shown)
        {
            text.Append("• ").Append(IncidentAnswers.Icon(incident.Severity)).Append(" *").Append(incident.Severity.ToString().ToUpperInvariant()).Append("* · ")
                .Append(incident.AcknowledgedBy is { } owner && incident.Status == Incident.Acknowledged ? $"acknowledged by <@{SlackJson.Escape(owner)}>" : "firing")
                .Append(" · ").Append(Formats.Age(now - incident.FirstSeen))
                .Append(" · `").Append(SlackJson.Escape(incident.DedupKey)).Append("` ")
                .Append(SlackJson.Escape(incident.Title.Length <= MaxTitle ? incident.Title : incident.Title[..MaxTitle] + "…"));
            if (incident.Count > 1) text.Append(" (×").Append(incident.Count).Append(')');
            if (incident.Permalink is { } link) text.Append(" · <").Append(link.AbsoluteUri).Append("|message>");
            text.Append('\n');
        }
        if (open.More > 0) text.Append("… and ").Append(open.More).Append(" more\n");
        return new CommandReply(text.ToString().TrimEnd());
    }
}

/// <summary><c>/ops ack KEY</c>: publishes <c>AlertAcknowledged</c> for the key's open incident, as the Acknowledge button does (anyone).</summary>
public sealed class AckHandler(IncidentView view, IBus bus, TimeProvider time) : ICommandHandler<AckCommand>
{
    public async Task<CommandReply> HandleAsync(AckCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        Incident? incident;
        try { incident = await view.FindAsync(command.DedupKey); }
        catch (IncidentViewUnavailableException) { return IncidentAnswers.UnavailableNothingPublished; }
        if (incident is not { IsOpen: true }) return IncidentAnswers.NoOpenIncident(command.DedupKey);

        await BusPublish.WithTimeoutAsync(bus, new AlertAcknowledged
        {
            CorrelationId = incident.CorrelationId == Guid.Empty ? context.CorrelationId : incident.CorrelationId,
            Timestamp = time.GetUtcNow(),
            DedupKey = incident.DedupKey,
            AlertId = incident.AlertId,
            AcknowledgedBy = context.UserId,
        }, cancellationToken);
        return new CommandReply($"✅ `{SlackJson.Escape(incident.DedupKey)}` ({SlackJson.Escape(incident.Title)}) acknowledged by <@{context.UserId}>: the incident is theirs.", Ephemeral: false);
    }
}

/// <summary><c>/ops resolve KEY [reason]</c> (admins): publishes <c>AlertResolved</c> from <c>ops-bot</c> for the key's open incident.</summary>
public sealed class ResolveHandler(IncidentView view, IBus bus, TimeProvider time) : ICommandHandler<ResolveCommand>
{
    public const string Source = "ops-bot";

    public async Task<CommandReply> HandleAsync(ResolveCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        Incident? incident;
        try { incident = await view.FindAsync(command.DedupKey); }
        catch (IncidentViewUnavailableException) { return IncidentAnswers.UnavailableNothingPublished; }
        if (incident is not { IsOpen: true }) return IncidentAnswers.NoOpenIncident(command.DedupKey);

        // the operator's words are escaped: a reason cannot mention a channel or a user group
        var reason = $"resolved by hand by <@{context.UserId}>" + (command.Reason is { Length: > 0 } why ? ": " + SlackJson.Escape(why) : "");
        await BusPublish.WithTimeoutAsync(bus, new AlertResolved
        {
            CorrelationId = incident.CorrelationId == Guid.Empty ? context.CorrelationId : incident.CorrelationId,
            Timestamp = time.GetUtcNow(),
            DedupKey = incident.DedupKey,
            Reason = reason,
            Source = Source,
            ResolvedBy = context.UserId,
            Labels = new Dictionary<string, string>
            {
                ["title"] = incident.Title,
                ["severity"] = incident.Severity.ToString().ToLowerInvariant(),
                ["alerts"] = incident.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        }, cancellationToken);
        return new CommandReply($"✅ `{SlackJson.Escape(incident.DedupKey)}` ({SlackJson.Escape(incident.Title)}) {reason}.", Ephemeral: false);
    }
}

internal static class IncidentAnswers
{
    public static readonly CommandReply Unavailable = new("⚠️ Incidents unavailable: Redis unreachable. The incident view cannot be read right now (this is not an empty list); try again shortly.");
    public static readonly CommandReply UnavailableNothingPublished = new("⚠️ Incidents unavailable: Redis unreachable, so the bot cannot tell whether this incident is open. Nothing was published; try again shortly.");

    public static CommandReply NoOpenIncident(string key) => new($"No open incident `{SlackJson.Escape(key)}`; see /ops alerts.");

    public static string Icon(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "🔴",
        AlertSeverity.Warning => "🟠",
        _ => "🔵",
    };
}
