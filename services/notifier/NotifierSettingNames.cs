namespace OpsBot.Notifier;

/// <summary>
/// The notifier's own settings by their public names (the operations guide's kept exactly); ALERT_ENABLE,
/// SLACK_BOT_TOKEN, SLACK_API_URL and REDIS_URL are shared and live in <c>SettingNames</c>. docs/notifier.md lists them.
/// </summary>
public static class NotifierSettingNames
{
    public const string AlertDedupTtl = "ALERT_DEDUP_TTL";
    public const string SlackAlertChannel = "SLACK_ALERT_CHANNEL";
    public const string TeamsWebhookUrl = "TEAMS_WEBHOOK_URL";
    public const string TeamsPayloadFormat = "TEAMS_PAYLOAD_FORMAT";
    public const string RedisPrefix = "NOTIFIER_REDIS_PREFIX";
    public const string DedupLocalCapacity = "NOTIFIER_DEDUP_LOCAL_CAPACITY";
    public const string SlackRate = "NOTIFIER_SLACK_RATE";
    public const string TeamsRate = "NOTIFIER_TEAMS_RATE";
    public const string DigestMaxAlerts = "NOTIFIER_DIGEST_MAX_ALERTS";
    public const string DeliveryAttempts = "NOTIFIER_DELIVERY_ATTEMPTS";
    public const string RetryDelayMs = "NOTIFIER_RETRY_DELAY_MS";
    public const string RateLimitMaxWait = "NOTIFIER_RATE_LIMIT_MAX_WAIT";
    public const string HttpTimeout = "NOTIFIER_HTTP_TIMEOUT";
    public const string ReminderInterval = "NOTIFIER_REMINDER_INTERVAL";
    public const string ReminderMinSeverity = "NOTIFIER_REMINDER_MIN_SEVERITY";
    public const string EscalateAfter = "NOTIFIER_ESCALATE_AFTER";
    public const string OncallUsergroup = "ONCALL_USERGROUP";
    public const string EscalationChannel = "NOTIFIER_ESCALATION_CHANNEL";
    public const string AckUsers = "NOTIFIER_ACK_USERS";
    public const string IncidentRetention = "NOTIFIER_INCIDENT_RETENTION";
    public const string IncidentOpenTtl = "NOTIFIER_INCIDENT_OPEN_TTL";
    /// <summary>Removed (acknowledgements no longer mute); set, it only draws a warning at start.</summary>
    public const string RemovedAckTtl = "NOTIFIER_ACK_TTL";
    public const string Concurrency = "NOTIFIER_CONCURRENCY";
    /// <summary>Path of the routing table (JSON; docs/notifier.md, "Routing and inhibition").</summary>
    public const string RoutesFile = "NOTIFIER_ROUTES_FILE";
    /// <summary>The routing table inline (JSON), for a deployment without a file; not together with <see cref="RoutesFile"/>.</summary>
    public const string Routes = "NOTIFIER_ROUTES";
    public const string RedeliveryDelays = "NOTIFIER_REDELIVERY_DELAYS";
}
