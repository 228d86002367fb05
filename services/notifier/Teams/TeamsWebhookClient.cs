using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Teams;

/// <summary>A Teams webhook call failed. Never carries the webhook URL (it is a secret).</summary>
public sealed class TeamsWebhookException(DeliveryErrorKind kind, string error, TimeSpan? retryAfter = null, bool timedOut = false, Exception? inner = null)
    : DeliveryException(kind, error, retryAfter, timedOut, inner);

/// <summary>
/// Posts to the Teams webhook (<c>TEAMS_WEBHOOK_URL</c>: a Workflows "post to a channel when a webhook request
/// is received" URL, or a legacy incoming webhook). Any 2xx is success (Workflows answer 202 Accepted). Throttling
/// shows up as HTTP 429 or as a 200 whose body says "HTTP error 429" (the legacy connector's way); both are
/// rate limits. 5xx, "HTTP error 5xx" bodies and timeouts are transient; 401/403 auth; other 4xx permanent.
/// </summary>
public sealed partial class TeamsWebhookClient(HttpClient http, TeamsOptions options)
{
    private const int MaxPayloadBytes = 28 * 1024;
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(2);

    public async Task<string?> PostAsync(JsonObject payload, CancellationToken cancellationToken)
    {
        var body = payload.ToJsonString();
        if (Encoding.UTF8.GetByteCount(body) >= MaxPayloadBytes)
            throw new TeamsWebhookException(DeliveryErrorKind.Permanent, "payload over 28 KB");
        using var request = new HttpRequestMessage(HttpMethod.Post, options.WebhookUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            // e.Message can name the host; never the URL's path and query (which hold the signature).
            throw new TeamsWebhookException(DeliveryErrorKind.Transient, $"connection failed: {e.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TeamsWebhookException(DeliveryErrorKind.Transient, "timeout", timedOut: true);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new TeamsWebhookException(DeliveryErrorKind.RateLimited, "HTTP 429", RetryAfterOf(response));
            if (status >= 500) throw new TeamsWebhookException(DeliveryErrorKind.Transient, $"HTTP {status}");
            if (status is 401 or 403) throw new TeamsWebhookException(DeliveryErrorKind.Auth, $"HTTP {status}");
            if (!response.IsSuccessStatusCode) throw new TeamsWebhookException(DeliveryErrorKind.Permanent, $"HTTP {status}");

            // A 2xx can still carry the connector's error text ("... returned HTTP error 429 ...").
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (EmbeddedHttpError().Match(text) is { Success: true } m && int.TryParse(m.Groups[1].Value, out var embedded))
            {
                if (embedded == 429) throw new TeamsWebhookException(DeliveryErrorKind.RateLimited, "throttled (HTTP error 429 in a 2xx body)", RetryAfterOf(response));
                if (embedded >= 500) throw new TeamsWebhookException(DeliveryErrorKind.Transient, $"HTTP error {embedded} in a 2xx body");
                throw new TeamsWebhookException(DeliveryErrorKind.Permanent, $"HTTP error {embedded} in a 2xx body");
            }
            return response.Headers.TryGetValues("x-ms-workflow-run-id", out var run) ? run.FirstOrDefault() : null;
        }
    }

    [GeneratedRegex(@"HTTP error (\d{3})", RegexOptions.IgnoreCase)]
    private static partial Regex EmbeddedHttpError();

    private static TimeSpan RetryAfterOf(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta) return delta;
        if (retryAfter?.Date is { } date && date - DateTimeOffset.UtcNow is { Ticks: > 0 } wait) return wait;
        return DefaultRetryAfter;
    }
}
