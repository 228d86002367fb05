using Microsoft.Extensions.Configuration;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.Secrets;

/// <summary>Chooses the secret store from <c>SECRETS_BACKEND</c> (<c>env</c> | <c>file</c> | <c>vault</c>).</summary>
public static class SecretStoreFactory
{
    public const string DefaultSecretsDir = "/run/secrets/opsbot";
    public const string DefaultVaultPath = "secret/opsbot";

    public static ISecretStore Create(Settings settings, IConfiguration configuration, HttpClient vaultHttp)
    {
        var backend = settings.String(BotSettingNames.SecretsBackend, "env").ToLowerInvariant();
        switch (backend)
        {
            case "env":
                return new EnvironmentSecretStore(configuration);
            case "file":
                return new DirectorySecretStore(settings.String(BotSettingNames.SecretsDir, DefaultSecretsDir));
            case "vault":
                var address = settings.Optional(BotSettingNames.VaultAddr)
                              ?? throw new SettingsException($"{BotSettingNames.SecretsBackend}=vault needs {BotSettingNames.VaultAddr} (e.g. https://vault:8200).");
                if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    throw new SettingsException($"{BotSettingNames.VaultAddr} must be an http(s) URL.");
                var token = settings.Optional(BotSettingNames.VaultToken)
                            ?? throw new SettingsException($"{BotSettingNames.SecretsBackend}=vault needs {BotSettingNames.VaultToken}.");
                var path = settings.String(BotSettingNames.VaultPath, DefaultVaultPath);
                try { VaultSecretStore.DataPath(path); }
                catch (SecretStoreException e) { throw new SettingsException(e.Message); }
                return new VaultSecretStore(vaultHttp, uri, new Secret(token), path);
            default:
                throw new SettingsException($"{BotSettingNames.SecretsBackend} must be env, file or vault, got '{backend}'.");
        }
    }
}
