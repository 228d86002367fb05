namespace OpsBot.Bot.Secrets;

/// <summary>
/// <c>SECRETS_BACKEND=file</c>: one file per secret in <c>SECRETS_DIR</c>, named like the setting
/// (<c>SLACK_BOT_TOKEN</c>), as a Kubernetes secret volume mounts them. Surrounding whitespace is trimmed.
/// </summary>
public sealed class DirectorySecretStore(string directory) : ISecretStore
{
    public const int MaxSecretBytes = 64 * 1024;

    public string Description => $"files in {directory}";

    public async Task<Secret?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory)) throw new SecretStoreException($"SECRETS_DIR {directory} does not exist.");
        var path = Path.Combine(directory, name);
        if (!File.Exists(path)) return null;
        try
        {
            if (new FileInfo(path).Length > MaxSecretBytes) throw new SecretStoreException($"secret file {path} is larger than {MaxSecretBytes} bytes.");
            var value = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
            return value.Length == 0 ? null : new Secret(value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException($"cannot read secret file {path}: {e.GetType().Name}.", e);
        }
    }
}
