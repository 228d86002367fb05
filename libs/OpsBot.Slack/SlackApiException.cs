using System.Net;

namespace OpsBot.Slack;

/// <summary>
/// A Slack Web API call (or a response_url post) failed. The message names the method and Slack's error code or
/// the HTTP status; it never carries a token, a response_url or a WebSocket URL.
/// </summary>
public sealed class SlackApiException(
    string method, string error, SlackErrorKind kind, HttpStatusCode? status = null, TimeSpan? retryAfter = null, bool timedOut = false, Exception? inner = null)
    : Exception($"Slack {method} failed: {error} ({kind})", inner)
{
    /// <summary>The Web API method (<c>chat.postMessage</c>, …) or <c>response_url</c>.</summary>
    public string Method { get; } = method;
    /// <summary>Slack's error code (<c>channel_not_found</c>), or <c>HTTP 503</c>, <c>timeout</c>, <c>connection failed (…)</c>.</summary>
    public string Error { get; } = error;
    public SlackErrorKind Kind { get; } = kind;
    /// <summary>The HTTP status when Slack answered one.</summary>
    public HttpStatusCode? Status { get; } = status;
    /// <summary>How long Slack asked to wait (Retry-After as seconds or as a date); set for <see cref="SlackErrorKind.RateLimited"/>.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
    /// <summary>The call did not complete within the HttpClient's timeout.</summary>
    public bool TimedOut { get; } = timedOut;
}
