using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsBot.Bot.Secrets;

namespace OpsBot.Bot.Slack;

/// <summary>A Slack Web API call failed. The message carries Slack's error code or the HTTP status, never a token or URL.</summary>
public sealed class SlackCallException(string method, string error, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception($"Slack {method} failed: {error}", inner)
{
    public string Error { get; } = error;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The part of Slack's Web API the bot needs, over HttpClient (no SlackNet is served here):
/// <c>apps.connections.open</c> with the app token, <c>chat.update</c> and <c>usergroups.users.list</c>
/// with the bot token, and posts to a command's or action's <c>response_url</c>.
/// </summary>
public sealed class SlackWebClient(HttpClient http, SlackSecrets secrets)
{
    /// <summary>A fresh single-use WebSocket URL for Socket Mode.</summary>
    public async Task<Uri> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var token = secrets.AppToken ?? throw new InvalidOperationException("Socket Mode needs SLACK_APP_TOKEN.");
        var json = await CallAsync("apps.connections.open", token, null, cancellationToken);
        var url = json["url"]?.GetValue<string>();
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "wss" && uri.Scheme != "ws"))
            throw new SlackCallException("apps.connections.open", "no WebSocket URL in the answer");
        return uri;
    }

    public Task UpdateMessageAsync(string channel, string ts, JsonObject message, CancellationToken cancellationToken)
    {
        var body = (JsonObject)message.DeepClone();
        body["channel"] = channel;
        body["ts"] = ts;
        return CallAsync("chat.update", secrets.BotToken, body, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> UserGroupMembersAsync(string groupId, CancellationToken cancellationToken)
    {
        var json = await CallAsync($"usergroups.users.list?usergroup={Uri.EscapeDataString(groupId)}", secrets.BotToken, null, cancellationToken);
        return json["users"]?.AsArray().Select(u => u?.GetValue<string>()).OfType<string>().ToList() ?? [];
    }

    /// <summary>Posts to a <c>response_url</c> (no token: the URL itself is the credential, so it is never logged).</summary>
    public async Task RespondAsync(Uri responseUrl, JsonObject message, CancellationToken cancellationToken)
    {
        using var content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try { response = await http.PostAsync(responseUrl, content, cancellationToken); }
        catch (HttpRequestException e) { throw new SlackCallException("response_url", $"connection failed ({e.HttpRequestError})", inner: e); }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested) { throw new SlackCallException("response_url", "timeout", inner: e); }
        using (response)
        {
            if (!response.IsSuccessStatusCode) throw new SlackCallException("response_url", $"HTTP {(int)response.StatusCode}", RetryAfterOf(response));
        }
    }

    private async Task<JsonObject> CallAsync(string method, Secret token, JsonObject? body, CancellationToken cancellationToken)
    {
        var name = method.Split('?')[0];
        using var request = new HttpRequestMessage(body is null && method.Contains('?') ? HttpMethod.Get : HttpMethod.Post, method);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Reveal());
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        else if (request.Method == HttpMethod.Post) request.Content = new FormUrlEncodedContent([]);

        HttpResponseMessage response;
        try { response = await http.SendAsync(request, cancellationToken); }
        catch (HttpRequestException e) { throw new SlackCallException(name, $"connection failed ({e.HttpRequestError})", inner: e); }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested) { throw new SlackCallException(name, "timeout", inner: e); }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests) throw new SlackCallException(name, "ratelimited", RetryAfterOf(response));
            if (!response.IsSuccessStatusCode) throw new SlackCallException(name, $"HTTP {(int)response.StatusCode}");
            JsonObject? json;
            try { json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject; }
            catch (JsonException) { json = null; }
            if (json is null) throw new SlackCallException(name, "answer is not a JSON object");
            if (json["ok"]?.GetValue<bool>() != true) throw new SlackCallException(name, json["error"]?.GetValue<string>() ?? "unknown_error");
            return json;
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter?.Delta;
}
