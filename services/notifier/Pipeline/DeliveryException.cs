using OpsBot.Contracts;

namespace OpsBot.Notifier.Pipeline;

/// <summary>How a channel's failure is to be treated by the retry stage.</summary>
public enum DeliveryErrorKind
{
    /// <summary>HTTP 429, Slack's <c>ratelimited</c>, a Teams "HTTP error 429" body: wait for Retry-After; not a failed attempt.</summary>
    RateLimited,
    /// <summary>The token or webhook is wrong or revoked: retrying cannot help.</summary>
    Auth,
    /// <summary>The request itself is wrong (unknown channel, bot not in channel, bad payload): retrying cannot help.</summary>
    Permanent,
    /// <summary>5xx, a timeout, a dropped connection: retry.</summary>
    Transient,
}

/// <summary>
/// A channel (Slack, Teams) refused or did not answer a delivery. The message carries the channel's error
/// code, never a token or a webhook URL.
/// </summary>
public class DeliveryException(DeliveryErrorKind kind, string error, TimeSpan? retryAfter = null, bool timedOut = false, Exception? inner = null)
    : Exception($"delivery error: {error} ({kind})", inner)
{
    public DeliveryErrorKind Kind { get; } = kind;
    public string Error { get; } = error;
    public TimeSpan? RetryAfter { get; } = retryAfter;
    private bool TimedOut { get; } = timedOut;

    /// <summary>The closed set of final-failure reasons (a metric label and <c>AlertDeliveryFailed.Reason</c>).</summary>
    public DeliveryFailureReason Reason => Kind switch
    {
        DeliveryErrorKind.RateLimited => DeliveryFailureReason.RateLimited,
        DeliveryErrorKind.Auth => DeliveryFailureReason.Auth,
        DeliveryErrorKind.Permanent => DeliveryFailureReason.ClientError,
        _ when TimedOut => DeliveryFailureReason.Timeout,
        _ => DeliveryFailureReason.ServerError,
    };
}
