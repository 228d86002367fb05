using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Slack;

/// <summary>A Slack Web API call failed. The message carries Slack's error code, never the token.</summary>
public sealed class SlackApiException(DeliveryErrorKind kind, string error, TimeSpan? retryAfter = null, bool timedOut = false, Exception? inner = null)
    : DeliveryException(kind, error, retryAfter, timedOut, inner);

/// <summary>
/// The small part of Slack's Web API OpsBot needs (no SlackNet is served here): <c>chat.postMessage</c>
/// with a bearer token, answers classified into <see cref="DeliveryErrorKind"/>.
/// </summary>
public sealed class SlackApiClient(HttpClient http, SlackOptions options)
{
    private static readonly HashSet<string> AuthErrors = ["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission", "missing_scope"];
    private static readonly HashSet<string> PermanentErrors = ["channel_not_found", "not_in_channel", "is_archived", "msg_too_long", "no_text", "too_many_attachments", "invalid_blocks", "invalid_blocks_format", "invalid_arguments", "restricted_action"];
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Posts a message; returns Slack's message timestamp (<c>ts</c>).</summary>
    public async Task<string?> PostMessageAsync(JsonObject payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat.postMessage")
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.BotToken);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new SlackApiException(DeliveryErrorKind.Transient, $"connection failed: {e.HttpRequestError}", inner: e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SlackApiException(DeliveryErrorKind.Transient, "timeout", timedOut: true, inner: e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new SlackApiException(DeliveryErrorKind.RateLimited, "ratelimited", RetryAfterOf(response));
            if ((int)response.StatusCode >= 500)
                throw new SlackApiException(DeliveryErrorKind.Transient, $"HTTP {(int)response.StatusCode}");
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new SlackApiException(DeliveryErrorKind.Auth, $"HTTP {(int)response.StatusCode}");
            if (!response.IsSuccessStatusCode)
                throw new SlackApiException(DeliveryErrorKind.Permanent, $"HTTP {(int)response.StatusCode}");

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? json;
            try { json = JsonNode.Parse(body); }
            catch (JsonException) { throw new SlackApiException(DeliveryErrorKind.Transient, "answer is not JSON"); }

            if (json?["ok"]?.GetValue<bool>() == true) return json["ts"]?.GetValue<string>();

            var error = json?["error"]?.GetValue<string>() ?? "unknown_error";
            if (error == "ratelimited") throw new SlackApiException(DeliveryErrorKind.RateLimited, error, RetryAfterOf(response));
            if (AuthErrors.Contains(error)) throw new SlackApiException(DeliveryErrorKind.Auth, error);
            if (PermanentErrors.Contains(error)) throw new SlackApiException(DeliveryErrorKind.Permanent, error);
            throw new SlackApiException(DeliveryErrorKind.Transient, error);
        }
    }

    private static TimeSpan RetryAfterOf(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta) return delta;
        if (retryAfter?.Date is { } date) return date - DateTimeOffset.UtcNow is { Ticks: > 0 } wait ? wait : DefaultRetryAfter;
        return DefaultRetryAfter;
    }
}
