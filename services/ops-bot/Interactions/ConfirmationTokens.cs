using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpsBot.Bot.Secrets;

namespace OpsBot.Bot.Interactions;

/// <summary>What a confirmation button confirms.</summary>
public sealed record KillSwitchIntent(bool Engage, string Scope, string RequestedBy, Guid CorrelationId, DateTimeOffset Expires);

/// <summary>
/// The kill-switch confirmation button carries its request, signed: HMAC-SHA256 with a key derived (HKDF)
/// from the bot token, so any replica can check a click without shared state, and nobody can forge or alter
/// one. A token is valid for five minutes; its first use spends it for every replica (DuplicateGuard, Redis).
/// </summary>
public sealed class ConfirmationTokens(SlackSecrets secrets, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secrets.BotToken.Reveal()), 32,
        salt: [], info: Encoding.UTF8.GetBytes("opsbot killswitch confirmation v1"));

    public string Issue(bool engage, string scope, string user, Guid correlationId)
    {
        var intent = new KillSwitchIntent(engage, scope, user, correlationId, time.GetUtcNow() + Lifetime);
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(intent));
        return payload + "." + Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload)));
    }

    /// <summary>The intent, or null when the token is forged, altered or expired. Does not spend it.</summary>
    public KillSwitchIntent? Read(string? token)
    {
        if (token is null || token.Split('.') is not [var payload, var mac]) return null;
        byte[] given;
        try { given = FromBase64Url(mac); }
        catch (FormatException) { return null; }
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload)), given)) return null;

        KillSwitchIntent? intent;
        try { intent = JsonSerializer.Deserialize<KillSwitchIntent>(FromBase64Url(payload)); }
        catch (Exception e) when (e is JsonException or FormatException) { return null; }
        var now = time.GetUtcNow();
        return intent is null || intent.Expires < now ? null : intent;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
