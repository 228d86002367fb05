namespace OpsBot.ServiceDefaults;

/// <summary>
/// Every setting's public name, in one place. The README's configuration table lists the same names.
/// The operations guide's names are kept exactly.
/// </summary>
public static class SettingNames
{
    // Infrastructure
    public const string RabbitMqUrl = "RABBITMQ_URL";
    public const string RabbitMqQuorumQueues = "RABBITMQ_QUORUM_QUEUES";
    public const string RedisUrl = "REDIS_URL";
    public const string HealthPort = "HEALTH_PORT";
    public const string LogFormat = "LOG_FORMAT";

    // PnL ingest
    public const string PnlChannel = "PNL_CHANNEL";
    public const string PnlBufferCapacity = "PNL_BUFFER_CAPACITY";

    // Risk
    public const string AlertPnlThreshold = "ALERT_PNL_THRESHOLD";

    // Notifier
    public const string AlertEnable = "ALERT_ENABLE";
    public const string AlertDedupTtl = "ALERT_DEDUP_TTL";
    public const string SlackBotToken = "SLACK_BOT_TOKEN";
    public const string SlackAlertChannel = "SLACK_ALERT_CHANNEL";
    public const string SlackApiUrl = "SLACK_API_URL";

    // Tracing: OpenTelemetry's standard names (OpsBotTracing)
    public const string OtelExporterOtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string OtelServiceName = "OTEL_SERVICE_NAME";
}
