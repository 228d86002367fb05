using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Slack;

/// <summary>
/// <see cref="ISlackChat"/> over the notifier's Slack client: posts and thread replies through
/// <see cref="SlackApiClient.PostMessageAsync"/>, <c>chat.update</c> over the same typed HttpClient's settings.
/// </summary>
public sealed class SlackChat(SlackApiClient client, IHttpClientFactory http, SlackOptions options) : ISlackChat
{
    public Task<string?> PostAsync(string channel, JsonObject message, CancellationToken cancellationToken)
    {
        message["channel"] = channel;
        return client.PostMessageAsync(message, cancellationToken);
    }

    public Task<string?> ReplyAsync(string channel, string threadTs, JsonObject message, CancellationToken cancellationToken)
    {
        message["channel"] = channel;
        message["thread_ts"] = threadTs;
        return client.PostMessageAsync(message, cancellationToken);
    }

    public async Task<string?> UpdateAsync(string channel, string ts, JsonObject message, CancellationToken cancellationToken)
    {
        message["channel"] = channel;
        message["ts"] = ts;
        message.Remove("unfurl_links");
        message.Remove("unfurl_media");
        var baseUrl = options.ApiUrl.ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"), "chat.update"))
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.BotToken);
        HttpResponseMessage response;
        try { response = await http.CreateClient(nameof(SlackChat)).SendAsync(request, cancellationToken); }
        catch (HttpRequestException e) { throw new SlackApiException(DeliveryErrorKind.Transient, $"connection failed: {e.HttpRequestError}", inner: e); }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested) { throw new SlackApiException(DeliveryErrorKind.Transient, "timeout", timedOut: true, inner: e); }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new SlackApiException(DeliveryErrorKind.RateLimited, "ratelimited", response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            if (!response.IsSuccessStatusCode)
                throw new SlackApiException((int)response.StatusCode >= 500 ? DeliveryErrorKind.Transient : DeliveryErrorKind.Permanent, $"HTTP {(int)response.StatusCode}");
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (json?["ok"]?.GetValue<bool>() == true) return json["ts"]?.GetValue<string>() ?? ts;
            var error = json?["error"]?.GetValue<string>() ?? "unknown_error";
            throw new SlackApiException(error is "message_not_found" or "cant_update_message" or "channel_not_found" ? DeliveryErrorKind.Permanent : DeliveryErrorKind.Transient, error);
        }
    }
}
