using System.Text;
using OpsBot.Bot.Guards;

namespace OpsBot.Bot.Slack;

/// <summary>
/// What a request to <c>/slack/*</c> must pass before anything is parsed or run:
/// <list type="number">
/// <item>a body of at most 1 MiB, signed by Slack (<see cref="SlackSignatureVerifier"/>), else 401;</item>
/// <item>a signature not seen before within the signing window, on any replica (<see cref="DuplicateGuard"/>,
/// one atomic SET NX in Redis), else 401 — a captured request cannot be replayed;</item>
/// <item>when Redis cannot say (down), 503: a security check that cannot decide refuses.</item>
/// </list>
/// Every refusal is counted and logged rate-limited (<see cref="RefusedRequests"/>).
/// </summary>
public sealed class SlackRequestGate(SlackSignatureVerifier verifier, DuplicateGuard guard, RefusedRequests refused)
{
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>How long a seen signature is remembered: a timestamp is accepted up to five minutes either side of now.</summary>
    public static readonly TimeSpan SignatureMemory = SlackSignatureVerifier.MaxAge * 2 + TimeSpan.FromMinutes(1);

    /// <summary>The body as text, or null and the answer to give.</summary>
    public async Task<(string? Body, IResult? Refusal)> AdmitAsync(HttpContext http)
    {
        var body = await ReadBodyAsync(http.Request);
        var signature = http.Request.Headers[SlackSignatureVerifier.SignatureHeader].ToString();
        var check = body is null
            ? SignatureCheck.TooLarge
            : verifier.Verify(http.Request.Headers[SlackSignatureVerifier.TimestampHeader].ToString(), signature, body);
        if (check != SignatureCheck.Valid) return Refuse(http, Reason(check), Results.Unauthorized());

        switch (await guard.SignatureAsync(signature, SignatureMemory))
        {
            case Once.Seen: return Refuse(http, "replayed", Results.Unauthorized());
            case Once.Unknown: return Refuse(http, "replay-check-unavailable", Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        }
        return (Encoding.UTF8.GetString(body!), null);
    }

    private (string?, IResult?) Refuse(HttpContext http, string reason, IResult answer)
    {
        refused.Refused(http.Request.Path, http.Connection.RemoteIpAddress, reason);
        return (null, answer);
    }

    private static string Reason(SignatureCheck check) => check switch
    {
        SignatureCheck.MissingHeader => "missing-header",
        SignatureCheck.BadTimestamp => "bad-timestamp",
        SignatureCheck.Stale => "stale",
        SignatureCheck.TooLarge => "too-large",
        _ => "mismatch",
    };

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
