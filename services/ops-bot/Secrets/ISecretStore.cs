namespace OpsBot.Bot.Secrets;

/// <summary>
/// Where the bot's secrets come from (<c>SECRETS_BACKEND</c>): environment variables, a directory of
/// key-per-file secrets, or HashiCorp Vault KV v2. Names are the setting names (<c>SLACK_BOT_TOKEN</c>, ...).
/// </summary>
public interface ISecretStore
{
    /// <summary>A human-readable name for messages (never a secret), e.g. <c>vault secret/opsbot</c>.</summary>
    string Description { get; }

    /// <summary>The secret, or null when the store does not have it. Throws <see cref="SecretStoreException"/> when the store itself fails.</summary>
    Task<Secret?> GetAsync(string name, CancellationToken cancellationToken);
}

/// <summary>The secret store cannot be read (Vault unreachable, permission denied, ...). The message never holds a secret.</summary>
public sealed class SecretStoreException(string message, Exception? inner = null) : Exception(message, inner);
