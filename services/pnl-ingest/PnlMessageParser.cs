using System.Globalization;
using System.Text.Json;

namespace OpsBot.PnlIngest;

/// <summary>Why a PnL message was rejected; a closed set, used as the <c>reason</c> metric label.</summary>
public enum PnlRejectReason
{
    TooLarge,
    InvalidJson,
    NotAnObject,
    MissingField,
    WrongType,
    OutOfRange,
    BadCurrency,
    BadTimestamp,
    BadCorrelationId,
}

public static class PnlRejectReasonExtensions
{
    public static string ToLabel(this PnlRejectReason reason) => reason switch
    {
        PnlRejectReason.TooLarge => "too-large",
        PnlRejectReason.InvalidJson => "invalid-json",
        PnlRejectReason.NotAnObject => "not-an-object",
        PnlRejectReason.MissingField => "missing-field",
        PnlRejectReason.WrongType => "wrong-type",
        PnlRejectReason.OutOfRange => "out-of-range",
        PnlRejectReason.BadCurrency => "bad-currency",
        PnlRejectReason.BadTimestamp => "bad-timestamp",
        PnlRejectReason.BadCorrelationId => "bad-correlation-id",
        _ => "unknown",
    };
}

/// <summary>A PnL report as the platform publishes it on Redis (see docs/contracts.md).</summary>
public sealed record PnlReport(string Account, string Strategy, decimal Realized, decimal Unrealized, string Currency, DateTimeOffset AsOf, Guid? CorrelationId, decimal? Fees = null);

/// <summary>The outcome of parsing one message: a report, or a reason and a short detail.</summary>
public readonly record struct PnlParseResult(PnlReport? Report, PnlRejectReason Reason, string Detail)
{
    public bool IsValid => Report is not null;
    public static PnlParseResult Ok(PnlReport report) => new(report, default, "");
    public static PnlParseResult Reject(PnlRejectReason reason, string detail) => new(null, reason, detail);
}

/// <summary>
/// Validates the platform's PnL JSON. Everything it cannot trust is rejected with a reason:
/// payloads over 64 KiB, invalid JSON (NaN and Infinity are not JSON), a missing or mistyped field,
/// amounts beyond ±1e15, a currency that is not three letters, a timestamp before 2000 or more
/// than five minutes in the future. <c>fees</c> and <c>correlation_id</c> are optional. Unknown
/// fields are ignored, so the platform may add some.
/// </summary>
public sealed class PnlMessageParser(TimeProvider time)
{
    public const int MaxPayloadBytes = 64 * 1024;
    public const int MaxNameLength = 128;
    public static readonly decimal MaxAbsAmount = 1_000_000_000_000_000m;
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    public PnlParseResult Parse(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > MaxPayloadBytes)
            return PnlParseResult.Reject(PnlRejectReason.TooLarge, $"{payload.Length} bytes, limit {MaxPayloadBytes}");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, DocumentOptions);
        }
        catch (JsonException e)
        {
            return PnlParseResult.Reject(PnlRejectReason.InvalidJson, $"line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return PnlParseResult.Reject(PnlRejectReason.NotAnObject, $"top level is {root.ValueKind.ToString().ToLowerInvariant()}");

            if (!TryName(root, "account", out var account, out var error)) return error;
            if (!TryName(root, "strategy", out var strategy, out error)) return error;
            if (!TryAmount(root, "realized", out var realized, out error)) return error;
            if (!TryAmount(root, "unrealized", out var unrealized, out error)) return error;
            if (!TryCurrency(root, out var currency, out error)) return error;
            if (!TryTimestamp(root, out var asOf, out error)) return error;
            if (!TryCorrelationId(root, out var correlationId, out error)) return error;
            decimal? fees = null;
            if (root.TryGetProperty("fees", out var feesElement) && feesElement.ValueKind != JsonValueKind.Null)
            {
                if (!TryAmount(root, "fees", out var f, out error)) return error;
                fees = f;
            }

            return PnlParseResult.Ok(new PnlReport(account, strategy, realized, unrealized, currency, asOf, correlationId, fees));
        }
    }

    private static bool TryName(JsonElement root, string field, out string value, out PnlParseResult error)
    {
        value = "";
        if (!root.TryGetProperty(field, out var element)) { error = Missing(field); return false; }
        if (element.ValueKind != JsonValueKind.String) { error = Wrong(field, "a string", element); return false; }
        value = element.GetString()!.Trim();
        if (value.Length == 0 || value.Length > MaxNameLength || value.Any(char.IsControl))
        {
            error = PnlParseResult.Reject(PnlRejectReason.OutOfRange, $"{field} must be 1-{MaxNameLength} printable characters");
            return false;
        }
        error = default;
        return true;
    }

    private static bool TryAmount(JsonElement root, string field, out decimal value, out PnlParseResult error)
    {
        value = 0;
        if (!root.TryGetProperty(field, out var element)) { error = Missing(field); return false; }
        if (element.ValueKind != JsonValueKind.Number) { error = Wrong(field, "a number", element); return false; }
        if (!element.TryGetDecimal(out value) || Math.Abs(value) > MaxAbsAmount)
        {
            error = PnlParseResult.Reject(PnlRejectReason.OutOfRange, $"{field} is beyond ±1e15");
            return false;
        }
        error = default;
        return true;
    }

    private static bool TryCurrency(JsonElement root, out string value, out PnlParseResult error)
    {
        value = "";
        if (!root.TryGetProperty("currency", out var element)) { error = Missing("currency"); return false; }
        if (element.ValueKind != JsonValueKind.String) { error = Wrong("currency", "a string", element); return false; }
        value = element.GetString()!.Trim().ToUpperInvariant();
        if (value.Length != 3 || !value.All(char.IsAsciiLetterUpper))
        {
            error = PnlParseResult.Reject(PnlRejectReason.BadCurrency, "currency must be a three-letter ISO 4217 code");
            return false;
        }
        error = default;
        return true;
    }

    private bool TryTimestamp(JsonElement root, out DateTimeOffset value, out PnlParseResult error)
    {
        value = default;
        if (!root.TryGetProperty("timestamp", out var element)) { error = Missing("timestamp"); return false; }
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var text = element.GetString()!;
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
                {
                    error = PnlParseResult.Reject(PnlRejectReason.BadTimestamp, "timestamp is not an ISO 8601 date and time");
                    return false;
                }
                break;
            case JsonValueKind.Number:
                if (!element.TryGetDouble(out var seconds) || !double.IsFinite(seconds) || seconds < 0 || seconds > 32503680000d)
                {
                    error = PnlParseResult.Reject(PnlRejectReason.BadTimestamp, "timestamp seconds are negative or absurd");
                    return false;
                }
                value = DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
                break;
            default:
                error = Wrong("timestamp", "an ISO 8601 string or Unix seconds", element);
                return false;
        }
        value = value.ToUniversalTime();
        var now = time.GetUtcNow();
        if (value < Earliest || value > now + MaxClockSkew)
        {
            error = PnlParseResult.Reject(PnlRejectReason.BadTimestamp, $"timestamp {value:O} is before 2000 or more than 5 minutes ahead of {now:O}");
            return false;
        }
        error = default;
        return true;
    }

    private static bool TryCorrelationId(JsonElement root, out Guid? value, out PnlParseResult error)
    {
        value = null;
        error = default;
        if (!root.TryGetProperty("correlation_id", out var element) || element.ValueKind == JsonValueKind.Null) return true;
        if (element.ValueKind == JsonValueKind.String && Guid.TryParse(element.GetString(), out var id))
        {
            value = id;
            return true;
        }
        error = PnlParseResult.Reject(PnlRejectReason.BadCorrelationId, "correlation_id must be a UUID string");
        return false;
    }

    private static PnlParseResult Missing(string field) => PnlParseResult.Reject(PnlRejectReason.MissingField, $"{field} is missing");

    private static PnlParseResult Wrong(string field, string expected, JsonElement actual) =>
        PnlParseResult.Reject(PnlRejectReason.WrongType, $"{field} must be {expected}, got {actual.ValueKind.ToString().ToLowerInvariant()}");
}
