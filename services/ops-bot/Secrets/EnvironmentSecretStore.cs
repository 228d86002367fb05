using Microsoft.Extensions.Configuration;

namespace OpsBot.Bot.Secrets;

/// <summary><c>SECRETS_BACKEND=env</c> (default): secrets are environment variables (Kubernetes <c>secretKeyRef</c>).</summary>
public sealed class EnvironmentSecretStore(IConfiguration configuration) : ISecretStore
{
    public string Description => "environment variables";

    public Task<Secret?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var value = configuration[name];
        return Task.FromResult(string.IsNullOrWhiteSpace(value) ? null : new Secret(value.Trim()));
    }
}
