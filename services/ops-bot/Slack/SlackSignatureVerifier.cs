using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpsBot.Bot.Secrets;

namespace OpsBot.Bot.Slack;

/// <summary>The outcome of checking a request's Slack signature; anything but <see cref="Valid"/> is answered 401.</summary>
public enum SignatureCheck
{
    Valid,
    MissingHeader,
    BadTimestamp,
    Stale,
    Mismatch,
    /// <summary>The body is over 1 MiB (not read further).</summary>
    TooLarge,
}

/// <summary>
/// Slack's request signing: <c>X-Slack-Signature: v0=hex(HMAC-SHA256(SLACK_SIGNING_SECRET, "v0:{X-Slack-Request-Timestamp}:{raw body}"))</c>.
/// Timestamps more than five minutes from now (either way) are refused against replays; the comparison is constant-time.
/// </summary>
public sealed class SlackSignatureVerifier(Secret signingSecret, TimeProvider time)
{
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public const string SignatureHeader = "X-Slack-Signature";
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public SignatureCheck Verify(string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)) return SignatureCheck.MissingHeader;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return SignatureCheck.BadTimestamp;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - seconds) > (long)MaxAge.TotalSeconds) return SignatureCheck.Stale;
        if (!signature.StartsWith("v0=", StringComparison.Ordinal) || signature.Length != 3 + 64) return SignatureCheck.Mismatch;

        byte[] provided;
        try { provided = Convert.FromHexString(signature.AsSpan(3)); }
        catch (FormatException) { return SignatureCheck.Mismatch; }

        var expected = Sign(signingSecret.Reveal(), timestamp, body);
        return CryptographicOperations.FixedTimeEquals(expected, provided) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The raw HMAC of a request (tests and fakes use <see cref="Signature"/>).</summary>
    public static byte[] Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
    }

    public static string Signature(string secret, string timestamp, ReadOnlySpan<byte> body) =>
        "v0=" + Convert.ToHexStringLower(Sign(secret, timestamp, body));
}
