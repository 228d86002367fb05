using System.Diagnostics.Metrics;
using OpsBot.ServiceDefaults;
using OpsBot.Slack;

namespace OpsBot.Bot.Incidents;

/// <summary>
/// Links to incidents' Slack messages for <c>/ops alerts</c>: <c>chat.getPermalink</c> once per message, then kept on the
/// incident in the view. When Slack does not answer within <see cref="Timeout"/> (or fails) the incident is shown without
/// its link: one warning line per listing and <c>opsbot_slack_permalink_failures_total</c>.
/// </summary>
public sealed class IncidentLinks(SlackWebApi slack, IncidentView view, ILogger<IncidentLinks> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly Meter _meter = OpsBotMetrics.CreateMeter("Bot");
    private Counter<long>? _failures;

    private Counter<long> Failures => _failures ??= _meter.CreateCounter<long>("opsbot.slack.permalink_failures", description: "chat.getPermalink calls for /ops alerts that failed (the incident is shown without its link)");

    /// <summary><paramref name="incidents"/> with their permalinks where Slack gives one.</summary>
    public async Task<IReadOnlyList<Incident>> WithLinksAsync(IReadOnlyList<Incident> incidents, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var linked = await Task.WhenAll(incidents.Select(async incident =>
        {
            if (incident.Permalink is not null || incident.Channel is not { Length: > 0 } channel || incident.MessageTs is not { Length: > 0 } ts) return incident;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Timeout);
                var link = await slack.GetPermalinkAsync(channel, ts, timeout.Token);
                try { await view.SetPermalinkAsync(incident.DedupKey, ts, link); }
                catch (IncidentViewUnavailableException) { } // shown now, fetched again next time
                return incident with { Permalink = link };
            }
            catch (Exception e) when (e is SlackApiException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                Failures.Add(1);
                lock (failures) failures.Add(e is SlackApiException slackError ? slackError.Error : "timeout");
                return incident;
            }
        }));
        if (failures.Count > 0)
            logger.LogWarning("chat.getPermalink failed for {Count} incident(s) ({Errors}); /ops alerts shows them without a link", failures.Count, string.Join(", ", failures.Distinct()));
        return linked;
    }
}
