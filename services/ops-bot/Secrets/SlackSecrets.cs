using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.Secrets;

/// <summary>
/// The Slack credentials, read from the secret store at start-up. The bot token is always needed;
/// Socket Mode needs the app token, the HTTP request URLs need the signing secret, and at least one
/// of the two must be there. Printing this record never prints a value.
/// </summary>
public sealed record SlackSecrets(Secret BotToken, Secret? AppToken, Secret? SigningSecret)
{
    public bool SocketMode => AppToken is not null;
    public bool HttpEndpoints => SigningSecret is not null;

    public static async Task<SlackSecrets> LoadAsync(ISecretStore store, CancellationToken cancellationToken)
    {
        Secret? bot, app, signing;
        try
        {
            bot = await store.GetAsync(SettingNames.SlackBotToken, cancellationToken);
            app = await store.GetAsync(BotSettingNames.SlackAppToken, cancellationToken);
            signing = await store.GetAsync(BotSettingNames.SlackSigningSecret, cancellationToken);
        }
        catch (SecretStoreException e)
        {
            throw new SettingsException($"cannot read the Slack secrets from {store.Description}: {e.Message}");
        }

        if (bot is null)
            throw new SettingsException($"{SettingNames.SlackBotToken} is missing from {store.Description}; the bot needs its xoxb- token to answer in Slack.");
        if (app is null && signing is null)
            throw new SettingsException($"neither {BotSettingNames.SlackAppToken} (Socket Mode) nor {BotSettingNames.SlackSigningSecret} (HTTP request URLs) is in {store.Description}; set at least one.");
        if (!bot.Reveal().StartsWith("xoxb-", StringComparison.Ordinal))
            throw new SettingsException($"{SettingNames.SlackBotToken} is not a bot token (it must start with xoxb-).");
        if (app is not null && !app.Reveal().StartsWith("xapp-", StringComparison.Ordinal))
            throw new SettingsException($"{BotSettingNames.SlackAppToken} is not an app-level token (it must start with xapp-).");
        return new SlackSecrets(bot, app, signing);
    }

    public override string ToString() => $"SlackSecrets {{ SocketMode = {SocketMode}, HttpEndpoints = {HttpEndpoints} }}";
}
