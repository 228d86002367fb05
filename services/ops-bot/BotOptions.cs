using OpsBot.ServiceDefaults;

namespace OpsBot.Bot;

/// <summary>ops-bot's non-secret settings, read once at start-up. <see cref="ToString"/> never prints a password (<see cref="UrlRedaction"/>).</summary>
public sealed record BotOptions(
    Uri SlackApiUrl,
    IReadOnlySet<string> Admins,
    TimeSpan InlineAnswerBudget,
    bool AlertEnable,
    SensitiveUrl RedisUrl,
    TimeSpan KillSwitchConfirmTimeout,
    string RedisPrefix,
    TimeSpan IncidentOpenTtl,
    TimeSpan IncidentResolvedTtl)
{
    public const string DefaultSlackApiUrl = "https://slack.com/api/";
    public const double DefaultKillSwitchConfirmTimeoutSeconds = 120;
    public const string DefaultRedisPrefix = "opsbot:ops-bot:";
    public const double DefaultIncidentOpenTtlSeconds = 604_800;
    public const double DefaultIncidentResolvedTtlSeconds = 86_400;

    public static BotOptions From(Settings settings)
    {
        var api = settings.Url(SettingNames.SlackApiUrl, DefaultSlackApiUrl);
        if (!api.AbsoluteUri.EndsWith('/')) api = new Uri(api.AbsoluteUri + "/");
        var admins = (settings.Optional(BotSettingNames.OpsAdmins) ?? "")
            .Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var id in admins)
            if (!id.All(char.IsAsciiLetterOrDigit) || id[0] is not ('U' or 'W' or 'S'))
                throw new SettingsException($"{BotSettingNames.OpsAdmins} must list Slack user ids (U…, W…) or user-group ids (S…), comma-separated; '{id}' is neither.");
        return new BotOptions(
            api,
            admins,
            TimeSpan.FromMilliseconds(settings.Int(BotSettingNames.OpsInlineAnswer, 1500, 0, 2500)),
            settings.Bool(SettingNames.AlertEnable, true),
            settings.String(SettingNames.RedisUrl, "localhost:6379"),
            // at most 25 min: the follow-up goes through the click's response_url, which Slack honours for 30 min
            TimeSpan.FromSeconds(settings.Double(BotSettingNames.KillSwitchConfirmTimeout, DefaultKillSwitchConfirmTimeoutSeconds, 1, 1500)),
            settings.String(BotSettingNames.OpsRedisPrefix, DefaultRedisPrefix),
            // an open incident with no event for this long leaves the view (a source that never resolves cannot fill Redis)
            TimeSpan.FromSeconds(settings.Double(BotSettingNames.OpsIncidentOpenTtl, DefaultIncidentOpenTtlSeconds, 3600, 90 * 86_400)),
            TimeSpan.FromSeconds(settings.Double(BotSettingNames.OpsIncidentResolvedTtl, DefaultIncidentResolvedTtlSeconds, 60, 30 * 86_400)));
    }

    public override string ToString() =>
        $"BotOptions {{ SlackApiUrl = {UrlRedaction.Redact(SlackApiUrl)}, Admins = {Admins.Count}, InlineAnswerBudget = {InlineAnswerBudget}, AlertEnable = {AlertEnable}, RedisUrl = {RedisUrl}, KillSwitchConfirmTimeout = {KillSwitchConfirmTimeout}, RedisPrefix = {RedisPrefix}, IncidentOpenTtl = {IncidentOpenTtl}, IncidentResolvedTtl = {IncidentResolvedTtl} }}";
}
