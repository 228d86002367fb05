using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier;

/// <summary>
/// notifier's settings. Slack delivery is on when <c>SLACK_BOT_TOKEN</c> and <c>SLACK_ALERT_CHANNEL</c>
/// are set. With <c>ALERT_ENABLE=false</c> alerts are consumed and recorded but not delivered.
/// </summary>
public sealed record NotifierOptions(bool Enabled, SlackOptions? Slack)
{
    public static NotifierOptions From(Settings settings)
    {
        var enabled = settings.Bool(SettingNames.AlertEnable, true);
        var token = settings.Optional(SettingNames.SlackBotToken);
        var channel = settings.Optional(SettingNames.SlackAlertChannel);
        if (token is not null && channel is null)
            throw new SettingsException($"{SettingNames.SlackBotToken} is set but {SettingNames.SlackAlertChannel} is not; set the channel id alerts go to.");
        var slack = token is null ? null : new SlackOptions(
            token,
            channel!,
            settings.Url(SettingNames.SlackApiUrl, SlackOptions.DefaultApiUrl));
        if (enabled && slack is null)
            throw new SettingsException($"no delivery channel is configured: set {SettingNames.SlackBotToken} and {SettingNames.SlackAlertChannel}, or {SettingNames.AlertEnable}=false.");
        return new NotifierOptions(enabled, slack);
    }
}

/// <summary>Slack Web API settings. <see cref="ToString"/> never prints the token.</summary>
public sealed record SlackOptions(string BotToken, string Channel, Uri ApiUrl)
{
    public const string DefaultApiUrl = "https://slack.com/api/";

    public override string ToString() => $"SlackOptions {{ Channel = {Channel}, ApiUrl = {ApiUrl} }}";
}
