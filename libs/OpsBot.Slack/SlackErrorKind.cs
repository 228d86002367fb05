namespace OpsBot.Slack;

/// <summary>How a failed Slack call is to be treated by whoever retries it.</summary>
public enum SlackErrorKind
{
    /// <summary>A 5xx, a timeout, a dropped connection, an answer that is not JSON, an unknown Slack error: retry.</summary>
    Transient,
    /// <summary>HTTP 429 or Slack's <c>ratelimited</c>: wait for <see cref="SlackApiException.RetryAfter"/>, then retry.</summary>
    RateLimited,
    /// <summary>The token is wrong, revoked or lacks a scope (or HTTP 401/403): retrying cannot help.</summary>
    Auth,
    /// <summary>The request itself is wrong (unknown channel, bot not in channel, bad payload, other 4xx): retrying cannot help.</summary>
    Permanent,
}
