using System.Text;
using System.Text.RegularExpressions;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// The one way OpsBot prints a URL or a connection string it was configured with (<c>METRICS_URL</c>,
/// <c>EXCHANGE_WS_URL</c>, <c>VAULT_ADDR</c>, <c>RABBITMQ_URL</c>, <c>REDIS_URL</c>, …) in a log line or an
/// exception: user info (<c>user:password@</c>) becomes <c>***@</c>, credential-like query parameters and
/// StackExchange.Redis options (<c>password=</c>, <c>token=</c>, <c>sig=</c>, …) keep their name but lose
/// their value, and the fragment is dropped. Scheme, host, port and path stay, so the line still says where.
/// </summary>
public static partial class UrlRedaction
{
    public const string Mask = "***";

    /// <summary>Names (case-insensitive) of query parameters and connection-string options whose value is a credential.</summary>
    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "passwd", "pwd", "pass", "secret", "client_secret", "token", "access_token", "auth", "authorization",
        "apikey", "api_key", "key", "sig", "signature", "credentials", "credential", "x-vault-token", "ticket",
    };

    public static string Redact(Uri? url)
    {
        if (url is null) return "";
        if (!url.IsAbsoluteUri) return RedactText(url.OriginalString);
        var text = new StringBuilder();
        text.Append(url.Scheme).Append("://");
        if (url.UserInfo.Length > 0) text.Append(Mask).Append('@');
        text.Append(url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}");
        text.Append(url.AbsolutePath);
        if (url.Query.Length > 1) text.Append('?').Append(RedactPairs(url.Query[1..], '&'));
        return text.ToString();
    }

    /// <summary>A URL, or a StackExchange.Redis configuration (<c>host:port,password=…</c>), or anything else that may hold one.</summary>
    public static string Redact(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value ?? "";
        if (value.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(value, UriKind.Absolute, out var url)) return Redact(url);
        if (value.Contains('=') && !value.Contains("://", StringComparison.Ordinal)) return RedactPairs(value, ',');
        return RedactText(value);
    }

    private static string RedactPairs(string pairs, char separator)
    {
        var parts = pairs.Split(separator);
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=');
            if (eq <= 0) continue;
            var name = Uri.UnescapeDataString(parts[i][..eq]).Trim();
            if (SecretNames.Contains(name)) parts[i] = parts[i][..(eq + 1)] + Mask;
        }
        return string.Join(separator, parts);
    }

    /// <summary>Last resort for text that is not a well-formed URL: hide anything between <c>//</c> and <c>@</c>, and credential options.</summary>
    private static string RedactText(string text)
    {
        var withoutUser = UserInfo().Replace(text, "//" + Mask + "@");
        return SecretOption().Replace(withoutUser, m => m.Groups["name"].Value + "=" + Mask);
    }

    [GeneratedRegex(@"//[^/]*@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<name>(?i:password|passwd|pwd|secret|token|access_token|apikey|api_key|sig|signature))=[^&,;\s]*")]
    private static partial Regex SecretOption();
}

/// <summary>
/// A setting that may carry a credential (<c>REDIS_URL</c> with <c>password=</c>, a URL with <c>user:password@</c>).
/// <see cref="ToString"/> prints it redacted (<see cref="UrlRedaction"/>), so an options record holding it can be
/// logged as a whole; <see cref="Reveal"/> gives the value at the point of use.
/// </summary>
public sealed class SensitiveUrl(string value) : IEquatable<SensitiveUrl>
{
    public string Reveal() => value;

    public override string ToString() => UrlRedaction.Redact(value);

    public bool Equals(SensitiveUrl? other) => other is not null && string.Equals(value, other.Reveal(), StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as SensitiveUrl);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(value);

    public static implicit operator SensitiveUrl(string value) => new(value);
}
