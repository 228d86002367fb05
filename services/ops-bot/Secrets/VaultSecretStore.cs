using System.Net;
using System.Text.Json;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.Secrets;

/// <summary>
/// <c>SECRETS_BACKEND=vault</c>: HashiCorp Vault KV version 2 over its HTTP API. <c>VAULT_PATH</c> is
/// <c>mount/path</c> (default <c>secret/opsbot</c>), read as <c>GET {VAULT_ADDR}/v1/{mount}/data/{path}</c> with the
/// <c>X-Vault-Token</c> header; each key of the secret's data is one setting. Read once and kept in memory.
/// </summary>
public sealed class VaultSecretStore(HttpClient http, Uri address, Secret token, string path) : ISecretStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, string>? _data;

    public string Description => $"vault {path} at {UrlRedaction.Redact(address)}";

    public static string DataPath(string path)
    {
        var trimmed = path.Trim('/');
        var slash = trimmed.IndexOf('/');
        if (slash <= 0 || slash == trimmed.Length - 1)
            throw new SecretStoreException($"VAULT_PATH must be mount/path (e.g. secret/opsbot), got '{path}'.");
        return $"v1/{trimmed[..slash]}/data/{trimmed[(slash + 1)..]}";
    }

    public async Task<Secret?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var data = await LoadAsync(cancellationToken);
        return data.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? new Secret(value.Trim()) : null;
    }

    private async Task<Dictionary<string, string>> LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_data is not null) return _data;
            var url = new Uri(new Uri(address.ToString().TrimEnd('/') + "/"), DataPath(path));
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("X-Vault-Token", token.Reveal());
            HttpResponseMessage response;
            try { response = await http.SendAsync(request, cancellationToken); }
            catch (HttpRequestException e) { throw new SecretStoreException($"cannot reach Vault at {UrlRedaction.Redact(address)} ({e.HttpRequestError}).", e); }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested) { throw new SecretStoreException($"Vault at {UrlRedaction.Redact(address)} did not answer in time.", e); }

            using (response)
            {
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK: break;
                    case HttpStatusCode.NotFound: throw new SecretStoreException($"Vault has no secret at VAULT_PATH {path} (KV v2).");
                    case HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized: throw new SecretStoreException($"Vault refused VAULT_TOKEN for {path} (HTTP {(int)response.StatusCode}); check the token's policy.");
                    default: throw new SecretStoreException($"Vault answered HTTP {(int)response.StatusCode} for {path}.");
                }
                var data = new Dictionary<string, string>(StringComparer.Ordinal);
                try
                {
                    using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
                    if (!json.RootElement.TryGetProperty("data", out var outer) || !outer.TryGetProperty("data", out var inner) || inner.ValueKind != JsonValueKind.Object)
                        throw new SecretStoreException($"Vault's answer for {path} has no data.data object; is the mount KV version 2?");
                    foreach (var property in inner.EnumerateObject())
                        if (property.Value.ValueKind == JsonValueKind.String) data[property.Name] = property.Value.GetString()!;
                }
                catch (JsonException e) { throw new SecretStoreException($"Vault's answer for {path} is not JSON.", e); }
                return _data = data;
            }
        }
        finally { _gate.Release(); }
    }
}
