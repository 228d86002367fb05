namespace OpsBot.Bot;

/// <summary>
/// ops-bot's own settings by their public names (see docs/ops-bot.md). The shared ones it reads too
/// (SLACK_BOT_TOKEN, SLACK_API_URL, ALERT_ENABLE, REDIS_URL) are in <c>SettingNames</c>, the metrics
/// settings in <c>PlatformMetricsSettingNames</c>.
/// </summary>
public static class BotSettingNames
{
    public const string SlackAppToken = "SLACK_APP_TOKEN";
    public const string SlackSigningSecret = "SLACK_SIGNING_SECRET";
    public const string OpsAdmins = "OPS_ADMINS";
    public const string OpsInlineAnswer = "OPS_INLINE_ANSWER_MS";
    public const string SecretsBackend = "SECRETS_BACKEND";
    public const string SecretsDir = "SECRETS_DIR";
    public const string VaultAddr = "VAULT_ADDR";
    public const string VaultToken = "VAULT_TOKEN";
    public const string VaultPath = "VAULT_PATH";
    public const string KillSwitchConfirmTimeout = "KILL_SWITCH_CONFIRM_TIMEOUT";
    public const string OpsRedisPrefix = "OPS_REDIS_PREFIX";
    public const string OpsIncidentOpenTtl = "OPS_INCIDENT_OPEN_TTL";
    public const string OpsIncidentResolvedTtl = "OPS_INCIDENT_RESOLVED_TTL";
}
