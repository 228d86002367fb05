using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Routing;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier;

/// <summary>
/// notifier's settings. Slack delivery is on when <c>SLACK_BOT_TOKEN</c> and <c>SLACK_ALERT_CHANNEL</c>
/// are set, Teams delivery when <c>TEAMS_WEBHOOK_URL</c> is set. With <c>ALERT_ENABLE=false</c> alerts are
/// consumed and recorded but not delivered. docs/notifier.md lists every setting; their names are in
/// <see cref="NotifierSettingNames"/> and the shared <see cref="SettingNames"/>.
/// </summary>
public sealed record NotifierOptions(bool Enabled, SlackOptions? Slack)
{
    /// <summary>
    /// <c>NOTIFIER_REDELIVERY_DELAYS</c> when unset: a delivery round that failed is tried again after 1, 5, 15, 30 and 60
    /// minutes — six rounds over about 1 h 51 min, which rides out the Slack and Teams outages we plan for (most are
    /// minutes, the long ones an hour or two) before the alert is parked in <c>_error</c> for a person.
    /// </summary>
    public const string DefaultRedeliveryDelays = "60,300,900,1800,3600";

    public TeamsOptions? Teams { get; init; }
    /// <summary><c>REDIS_URL</c>; printed redacted (it may carry a password).</summary>
    public SensitiveUrl RedisUrl { get; init; } = "localhost:6379";
    public string KeyPrefix { get; init; } = "opsbot:notifier:";
    public TimeSpan DedupTtl { get; init; } = TimeSpan.FromSeconds(60);
    public int LocalDedupCapacity { get; init; } = 10_000;
    public DeliveryPolicy Delivery { get; init; } = new();
    /// <summary>Incidents: reminders, escalation, who may acknowledge, retention (docs/notifier.md, "Incidents").</summary>
    public IncidentPolicy Incidents { get; init; } = new();
    public int ConcurrentAlerts { get; init; } = 256;
    /// <summary>Broker-side delayed redelivery of failed deliveries (<c>NOTIFIER_REDELIVERY_DELAYS</c>, default <see cref="DefaultRedeliveryDelays"/>); empty: off, straight to <c>_error</c>.</summary>
    public IReadOnlyList<TimeSpan> Redelivery { get; init; } = [];
    /// <summary>Routes and inhibition rules (<c>NOTIFIER_ROUTES_FILE</c> / <c>NOTIFIER_ROUTES</c>); unset: everything to the default route, the default inhibition rule.</summary>
    public RoutingTable Routing { get; init; } = RoutingTable.Default();

    public static NotifierOptions From(Settings settings)
    {
        var enabled = settings.Bool(SettingNames.AlertEnable, true);
        var token = settings.Optional(SettingNames.SlackBotToken);
        var channel = settings.Optional(NotifierSettingNames.SlackAlertChannel);
        if (token is not null && channel is null)
            throw new SettingsException($"{SettingNames.SlackBotToken} is set but {NotifierSettingNames.SlackAlertChannel} is not; set the channel id alerts go to.");
        var slack = token is null ? null : new SlackOptions(
            token,
            channel!,
            settings.Url(SettingNames.SlackApiUrl, SlackOptions.DefaultApiUrl),
            settings.Double(NotifierSettingNames.SlackRate, 1, 0.01, 100));

        TeamsOptions? teams = null;
        if (settings.Optional(NotifierSettingNames.TeamsWebhookUrl) is { } webhook)
        {
            // The URL is a secret (it carries the signature): never echo it, not even in an error.
            if (!Uri.TryCreate(webhook, UriKind.Absolute, out var url) || (url.Scheme != "https" && url.Scheme != "http"))
                throw new SettingsException($"{NotifierSettingNames.TeamsWebhookUrl} must be an absolute http(s) URL (the value is not shown: it is a secret).");
            var format = settings.String(NotifierSettingNames.TeamsPayloadFormat, "adaptivecard").ToLowerInvariant() switch
            {
                "adaptivecard" or "adaptive" or "workflows" => TeamsPayload.AdaptiveCard,
                "messagecard" or "legacy" => TeamsPayload.MessageCard,
                var other => throw new SettingsException($"{NotifierSettingNames.TeamsPayloadFormat} must be adaptivecard or messagecard, got '{other}'."),
            };
            teams = new TeamsOptions(url, format, settings.Double(NotifierSettingNames.TeamsRate, 1, 0.01, 100));
        }

        if (enabled && slack is null && teams is null)
            throw new SettingsException($"no delivery channel is configured: set {SettingNames.SlackBotToken} and {NotifierSettingNames.SlackAlertChannel}, or {NotifierSettingNames.TeamsWebhookUrl}, or {SettingNames.AlertEnable}=false.");

        return new NotifierOptions(enabled, slack)
        {
            Teams = teams,
            RedisUrl = settings.String(SettingNames.RedisUrl, "localhost:6379"),
            KeyPrefix = settings.String(NotifierSettingNames.RedisPrefix, "opsbot:notifier:"),
            DedupTtl = TimeSpan.FromSeconds(settings.Double(NotifierSettingNames.AlertDedupTtl, 60, 0.1, 7 * 24 * 3600)),
            LocalDedupCapacity = settings.Int(NotifierSettingNames.DedupLocalCapacity, 10_000, 100, 10_000_000),
            Delivery = new DeliveryPolicy
            {
                Attempts = settings.Int(NotifierSettingNames.DeliveryAttempts, 3, 1, 10),
                FirstRetryDelay = TimeSpan.FromMilliseconds(settings.Int(NotifierSettingNames.RetryDelayMs, 1000, 1, 60_000)),
                RateLimitMaxWait = TimeSpan.FromSeconds(settings.Int(NotifierSettingNames.RateLimitMaxWait, 300, 1, 24 * 3600)),
                HttpTimeout = TimeSpan.FromSeconds(settings.Double(NotifierSettingNames.HttpTimeout, 10, 0.1, 300)),
                DigestMaxAlerts = settings.Int(NotifierSettingNames.DigestMaxAlerts, 100, 1, 1000),
            },
            Incidents = IncidentPolicyFrom(settings),
            ConcurrentAlerts = settings.Int(NotifierSettingNames.Concurrency, 256, 1, 10_000),
            Redelivery = BrokerDelayedRedelivery.ParseDelays(settings, NotifierSettingNames.RedeliveryDelays, DefaultRedeliveryDelays),
            Routing = RoutingFrom(settings, slack is not null, teams is not null),
        };
    }

    /// <summary>Every destination label an incident or a dedup claim can have (<see cref="DestinationLabel"/>): slack, teams, and slack:{channel} of each routed channel.</summary>
    public IReadOnlyList<string> DestinationLabels() =>
        new[] { "slack", "teams" }.Concat(Routing.Routes.Where(r => r.SlackChannel is not null)
                .Select(r => DestinationLabel.Of(DeliveryChannel.Slack, r.SlackChannel!, Slack?.Channel ?? "")))
            .Distinct(StringComparer.Ordinal).ToList();

    private static RoutingTable RoutingFrom(Settings settings, bool slackConfigured, bool teamsConfigured)
    {
        var file = settings.Optional(NotifierSettingNames.RoutesFile);
        var inline = settings.Optional(NotifierSettingNames.Routes);
        if (file is not null && inline is not null)
            throw new SettingsException($"set {NotifierSettingNames.RoutesFile} or {NotifierSettingNames.Routes}, not both.");
        if (inline is not null) return RoutingTable.Parse(inline, NotifierSettingNames.Routes, slackConfigured, teamsConfigured);
        if (file is null) return RoutingTable.Default();
        string json;
        try { json = File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException($"{NotifierSettingNames.RoutesFile}: cannot read {file} ({e.Message}).");
        }
        return RoutingTable.Parse(json, $"{NotifierSettingNames.RoutesFile} ({file})", slackConfigured, teamsConfigured);
    }

    /// <summary>
    /// Reminders every 15 minutes by default, not Alertmanager's 4 hours: on a trading desk an unowned loss costs money by the
    /// minute, and 15 minutes is the longest a position should run unwatched; escalation of an unowned critical after 5 minutes.
    /// </summary>
    private static IncidentPolicy IncidentPolicyFrom(Settings settings)
    {
        var minSeverity = settings.String(NotifierSettingNames.ReminderMinSeverity, "warning").Trim().ToLowerInvariant() switch
        {
            "info" => AlertSeverity.Info,
            "warning" => AlertSeverity.Warning,
            "critical" => AlertSeverity.Critical,
            var other => throw new SettingsException($"{NotifierSettingNames.ReminderMinSeverity} must be info, warning or critical, got '{other}'."),
        };
        var usergroup = settings.Optional(NotifierSettingNames.OncallUsergroup)?.Trim();
        if (usergroup is not null && !System.Text.RegularExpressions.Regex.IsMatch(usergroup, "^[A-Z0-9]{2,32}$"))
            throw new SettingsException($"{NotifierSettingNames.OncallUsergroup} must be a Slack user group id such as S0123ABCD, got '{usergroup}'.");
        var ackUsers = (settings.Optional(NotifierSettingNames.AckUsers) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return new IncidentPolicy
        {
            ReminderInterval = TimeSpan.FromSeconds(settings.Double(NotifierSettingNames.ReminderInterval, 900, 0, 7 * 24 * 3600)),
            ReminderMinSeverity = minSeverity,
            EscalateAfter = TimeSpan.FromSeconds(settings.Double(NotifierSettingNames.EscalateAfter, 300, 0, 7 * 24 * 3600)),
            OncallUsergroup = usergroup,
            EscalationChannel = settings.Optional(NotifierSettingNames.EscalationChannel)?.Trim(),
            AckUsers = ackUsers,
            Retention = TimeSpan.FromSeconds(settings.Double(NotifierSettingNames.IncidentRetention, 86_400, 60, 90 * 24 * 3600)),
            OpenTtl = TimeSpan.FromSeconds(settings.Double(NotifierSettingNames.IncidentOpenTtl, 7 * 86_400, 60, 90 * 24 * 3600)),
        };
    }
}

/// <summary>How a channel's deliveries are retried and folded.</summary>
public sealed record DeliveryPolicy
{
    /// <summary>Attempts per message for transient errors (5xx, timeouts); rate-limit waits are not attempts.</summary>
    public int Attempts { get; init; } = 3;
    /// <summary>The first retry's delay; each next one doubles (with jitter).</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long one message may wait on rate limits (Retry-After) before it fails as rate-limited.</summary>
    public TimeSpan RateLimitMaxWait { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>At most this many alerts are folded into one digest message.</summary>
    public int DigestMaxAlerts { get; init; } = 100;
}

/// <summary>Slack Web API settings. <see cref="ToString"/> never prints the token.</summary>
public sealed record SlackOptions(string BotToken, string Channel, Uri ApiUrl, double MessagesPerSecond = 1)
{
    public const string DefaultApiUrl = "https://slack.com/api/";

    public override string ToString() => $"SlackOptions {{ Channel = {Channel}, ApiUrl = {UrlRedaction.Redact(ApiUrl)}, MessagesPerSecond = {MessagesPerSecond} }}";
}

public enum TeamsPayload
{
    /// <summary>Workflows webhook: <c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",...}]}</c>.</summary>
    AdaptiveCard,
    /// <summary>The legacy Office 365 connector's MessageCard.</summary>
    MessageCard,
}

/// <summary>Teams webhook settings. The URL is a secret: <see cref="ToString"/> never prints it.</summary>
public sealed record TeamsOptions(Uri WebhookUrl, TeamsPayload Format, double MessagesPerSecond = 1)
{
    /// <summary>What <c>AlertDelivered.Destination</c> says for Teams (never the URL).</summary>
    public const string DestinationName = "teams";

    public override string ToString() => $"TeamsOptions {{ WebhookUrl = (secret), Format = {Format}, MessagesPerSecond = {MessagesPerSecond} }}";
}
