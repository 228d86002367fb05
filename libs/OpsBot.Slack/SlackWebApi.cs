using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpsBot.Slack;

/// <summary>
/// OpsBot's one Slack Web API client (notifier and ops-bot), over an <see cref="HttpClient"/> whose
/// <see cref="HttpClient.BaseAddress"/> is the API root (<c>https://slack.com/api/</c>, see <see cref="ApiBase"/>)
/// and whose <see cref="HttpClient.Timeout"/> bounds every call. Each call either returns Slack's answer or throws
/// <see cref="SlackApiException"/>, classified once here (see <see cref="Classify"/>). It does not retry: the
/// caller's retry policy does, honouring <see cref="SlackApiException.RetryAfter"/>.
/// </summary>
public sealed class SlackWebApi(HttpClient http, SlackTokens tokens, TimeProvider? time = null)
{
    /// <summary>Slack's errors that mean the token cannot do this.</summary>
    internal static readonly HashSet<string> AuthErrors =
        ["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission", "missing_scope", "not_allowed_token_type"];
    /// <summary>Slack's errors that mean this request can never succeed as it is.</summary>
    internal static readonly HashSet<string> PermanentErrors =
        ["channel_not_found", "not_in_channel", "is_archived", "msg_too_long", "no_text", "too_many_attachments", "invalid_blocks",
         "invalid_blocks_format", "invalid_arguments", "restricted_action", "message_not_found", "cant_update_message", "edit_window_closed",
         "thread_not_found", "no_such_subteam", "invalid_usergroup", "user_not_found"];
    /// <summary>The wait when a 429 carries no usable Retry-After (Slack's own advice for Tier 4 methods).</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The API root as a base address: <paramref name="apiUrl"/> with a trailing slash, so relative method names resolve under it.</summary>
    public static Uri ApiBase(Uri apiUrl) => apiUrl.AbsoluteUri.EndsWith('/') ? apiUrl : new Uri(apiUrl.AbsoluteUri + "/");

    /// <summary><c>chat.postMessage</c> of <paramref name="message"/> (text/blocks/…) to <paramref name="channel"/>; returns where it is.</summary>
    public Task<SlackMessageRef> PostMessageAsync(string channel, JsonObject message, CancellationToken cancellationToken) =>
        PostAsync("chat.postMessage", channel, message, null, cancellationToken);

    /// <summary><c>chat.postMessage</c> in the thread of <paramref name="threadTs"/>; <paramref name="broadcast"/> also shows it in the channel.</summary>
    public Task<SlackMessageRef> PostReplyAsync(string channel, string threadTs, JsonObject message, bool broadcast, CancellationToken cancellationToken)
    {
        var extra = new JsonObject { ["thread_ts"] = threadTs };
        if (broadcast) extra["reply_broadcast"] = true;
        return PostAsync("chat.postMessage", channel, message, extra, cancellationToken);
    }

    /// <summary><c>chat.update</c>: replaces the message at <paramref name="ts"/> (text, blocks; an empty <c>blocks</c> removes buttons).</summary>
    public Task<SlackMessageRef> UpdateMessageAsync(string channel, string ts, JsonObject message, CancellationToken cancellationToken) =>
        PostAsync("chat.update", channel, message, new JsonObject { ["ts"] = ts }, cancellationToken);

    /// <summary><c>chat.getPermalink</c>: a link to the message at <paramref name="ts"/>.</summary>
    public async Task<Uri> GetPermalinkAsync(string channel, string ts, CancellationToken cancellationToken)
    {
        const string method = "chat.getPermalink";
        var json = await CallAsync(method, HttpMethod.Get, $"?channel={Uri.EscapeDataString(channel)}&message_ts={Uri.EscapeDataString(ts)}", tokens.BotToken, null, cancellationToken);
        return StringOf(json, "permalink") is { } link && Uri.TryCreate(link, UriKind.Absolute, out var uri)
            ? uri
            : throw new SlackApiException(method, "no permalink in the answer", SlackErrorKind.Transient);
    }

    /// <summary><c>usergroups.users.list</c>: the user ids in user group <paramref name="groupId"/> (<c>S…</c>).</summary>
    public async Task<IReadOnlyList<string>> UserGroupMembersAsync(string groupId, CancellationToken cancellationToken)
    {
        var json = await CallAsync("usergroups.users.list", HttpMethod.Get, $"?usergroup={Uri.EscapeDataString(groupId)}", tokens.BotToken, null, cancellationToken);
        return json["users"] is JsonArray users
            ? users.OfType<JsonValue>().Select(u => u.TryGetValue<string>(out var id) ? id : null).OfType<string>().ToList()
            : [];
    }

    /// <summary><c>apps.connections.open</c> with the app-level token: a fresh single-use Socket Mode WebSocket URL.</summary>
    public async Task<Uri> OpenSocketModeConnectionAsync(CancellationToken cancellationToken)
    {
        const string method = "apps.connections.open";
        var token = tokens.AppToken ?? throw new InvalidOperationException("Socket Mode needs the app-level token (xapp-).");
        var json = await CallAsync(method, HttpMethod.Post, "", token, null, cancellationToken);
        if (StringOf(json, "url") is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "wss" or "ws") return uri;
        throw new SlackApiException(method, "no WebSocket URL in the answer", SlackErrorKind.Transient);
    }

    /// <summary>
    /// Posts <paramref name="message"/> to a command's or action's <c>response_url</c>. No token: the URL itself is the
    /// credential, so it never appears in an exception. Errors are classified by HTTP status like any other call.
    /// </summary>
    public async Task RespondAsync(Uri responseUrl, JsonObject message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, responseUrl) { Content = Json(message) };
        using var response = await SendAsync("response_url", request, cancellationToken);
        ThrowOnHttpError("response_url", response);
    }

    /// <summary>
    /// The one classification: 429 and <c>ratelimited</c> → RateLimited; 401/403 and <see cref="AuthErrors"/> → Auth;
    /// other 4xx and <see cref="PermanentErrors"/> → Permanent; 5xx and any other Slack error → Transient.
    /// </summary>
    internal static SlackErrorKind Classify(HttpStatusCode status, string? error)
    {
        if (status == HttpStatusCode.TooManyRequests || error == "ratelimited") return SlackErrorKind.RateLimited;
        if ((int)status >= 500) return SlackErrorKind.Transient;
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) return SlackErrorKind.Auth;
        if ((int)status >= 400) return SlackErrorKind.Permanent;
        if (error is not null && AuthErrors.Contains(error)) return SlackErrorKind.Auth;
        if (error is not null && PermanentErrors.Contains(error)) return SlackErrorKind.Permanent;
        return SlackErrorKind.Transient;
    }

    private async Task<SlackMessageRef> PostAsync(string method, string channel, JsonObject message, JsonObject? extra, CancellationToken cancellationToken)
    {
        var body = (JsonObject)message.DeepClone();
        body["channel"] = channel;
        if (extra is not null)
            foreach (var (key, value) in extra) body[key] = value?.DeepClone();
        var json = await CallAsync(method, HttpMethod.Post, "", tokens.BotToken, body, cancellationToken);
        // ok without a ts breaks Slack's contract; Permanent, not Transient: the message may be posted, a retry could post it twice.
        var ts = StringOf(json, "ts") ?? (method == "chat.update" ? StringOf(body, "ts") : null)
            ?? throw new SlackApiException(method, "no ts in the answer", SlackErrorKind.Permanent);
        return new SlackMessageRef(StringOf(json, "channel") ?? channel, ts);
    }

    private async Task<JsonObject> CallAsync(string method, HttpMethod verb, string query, string token, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(verb, method + query);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = Json(body);
        else if (verb == HttpMethod.Post) request.Content = new FormUrlEncodedContent([]);

        using var response = await SendAsync(method, request, cancellationToken);
        ThrowOnHttpError(method, response);

        JsonObject? json;
        try { json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject; }
        catch (JsonException) { json = null; }
        if (json is null) throw new SlackApiException(method, "answer is not a JSON object", SlackErrorKind.Transient, response.StatusCode);
        if (json["ok"] is JsonValue ok && ok.TryGetValue<bool>(out var isOk) && isOk) return json;

        var error = StringOf(json, "error") ?? "unknown_error";
        var kind = Classify(response.StatusCode, error);
        throw new SlackApiException(method, error, kind, response.StatusCode, kind == SlackErrorKind.RateLimited ? RetryAfterOf(response) : null);
    }

    private async Task<HttpResponseMessage> SendAsync(string method, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new SlackApiException(method, $"connection failed ({e.HttpRequestError})", SlackErrorKind.Transient, inner: e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SlackApiException(method, "timeout", SlackErrorKind.Transient, timedOut: true, inner: e);
        }
    }

    private void ThrowOnHttpError(string method, HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode) return;
        var kind = Classify(response.StatusCode, null);
        throw new SlackApiException(method, $"HTTP {(int)response.StatusCode}", kind, response.StatusCode,
            kind == SlackErrorKind.RateLimited ? RetryAfterOf(response) : null);
    }

    /// <summary>Retry-After as delta seconds or as an HTTP date (a date already past, or none: <see cref="DefaultRetryAfter"/>).</summary>
    private TimeSpan RetryAfterOf(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta) return delta;
        if (retryAfter?.Date is { } date && date - _time.GetUtcNow() is { Ticks: > 0 } wait) return wait;
        return DefaultRetryAfter;
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static string? StringOf(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
