namespace OpsBot.ServiceDefaults;

/// <summary>
/// The public names of the settings every service reads (or several do), each defined once. A service's own
/// settings are in its own class: <c>PnlIngestSettingNames</c>, <c>RiskEvaluatorSettingNames</c>,
/// <c>NotifierSettingNames</c>, <c>BotSettingNames</c> (ops-bot), <c>MarketFeedSettingNames</c>,
/// <c>ParitySettingNames</c>; the platform-metrics scrape's (pnl-ingest and ops-bot) in
/// <c>PlatformMetricsSettingNames</c>. The README's configuration table lists them all; the operations
/// guide's names are kept exactly.
/// </summary>
public static class SettingNames
{
    // Infrastructure: every service
    public const string RabbitMqUrl = "RABBITMQ_URL";
    public const string RabbitMqQuorumQueues = "RABBITMQ_QUORUM_QUEUES";
    public const string RedisUrl = "REDIS_URL";
    public const string HealthPort = "HEALTH_PORT";
    public const string LogFormat = "LOG_FORMAT";

    // Slack and alert delivery: notifier and ops-bot
    public const string AlertEnable = "ALERT_ENABLE";
    public const string SlackBotToken = "SLACK_BOT_TOKEN";
    public const string SlackApiUrl = "SLACK_API_URL";

    // Tracing: OpenTelemetry's standard names (OpsBotTracing)
    public const string OtelExporterOtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string OtelServiceName = "OTEL_SERVICE_NAME";
}
