using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OpsBot.FakeSlack;

/// <summary>One request the fake received, and what it answered.</summary>
public sealed record SlackRequest(DateTimeOffset At, string Path, string? Authorization, JsonObject? Body, int Status, string? Error)
{
    public string? Channel => StringOf(Body, "channel");
    public string? Text => StringOf(Body, "text");
    /// <summary>The thread a <c>chat.postMessage</c> replies in (null: a top-level message).</summary>
    public string? ThreadTs => StringOf(Body, "thread_ts");
    /// <summary>The message a <c>chat.update</c> edits.</summary>
    public string? Ts => StringOf(Body, "ts");

    internal static string? StringOf(JsonObject? body, string name) =>
        body?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>A scripted answer: the status code, Slack's error code (null for ok) and an optional Retry-After.</summary>
public sealed record SlackReply(int Status, string? Error = null, int? RetryAfterSeconds = null);

/// <summary>A message Slack accepted (<c>chat.postMessage</c>): top-level, or a reply in the thread of <see cref="ThreadTs"/>.</summary>
public sealed record SlackPost(DateTimeOffset At, string Channel, string Ts, string? ThreadTs, bool Broadcast, JsonObject Body)
{
    public string? Text => SlackRequest.StringOf(Body, "text");
}

/// <summary>An edit Slack accepted (<c>chat.update</c>) of the message at <see cref="Channel"/> + <see cref="Ts"/>.</summary>
public sealed record SlackUpdate(DateTimeOffset At, string Channel, string Ts, JsonObject Body)
{
    public string? Text => SlackRequest.StringOf(Body, "text");
}

public sealed class FakeSlackOptions
{
    /// <summary>When set, any other bearer token is answered with <c>invalid_auth</c>.</summary>
    public string? ExpectedToken { get; init; }
    /// <summary>
    /// Slack's per-channel pace, off (null) by default: a <c>chat.postMessage</c> (top-level or thread reply) that would
    /// be more than N in one second to one channel gets HTTP 429 <c>ratelimited</c> with Retry-After (whole seconds until
    /// the window has room). Below 1, one message per 1/N seconds. <c>chat.update</c> is not paced.
    /// </summary>
    public double? MessagesPerSecondPerChannel { get; init; }
    /// <summary>The members of each user group, for <c>usergroups.users.list</c> (more with <see cref="FakeSlackServer.SetUserGroup"/>).</summary>
    public IReadOnlyDictionary<string, string[]>? UserGroups { get; init; }
    /// <summary>Lets a test answer a request its own way (outage, errors); null falls through to normal behaviour.</summary>
    public Func<SlackRequest, SlackReply?>? Script { get; init; }
    public int Port { get; init; }
    public string Host { get; init; } = "127.0.0.1";
}

/// <summary>
/// A Slack Web API stand-in on Kestrel with bearer-token checks and scripted faults: <c>chat.postMessage</c> (top-level
/// messages and thread replies, recorded apart), <c>chat.update</c> (edits recorded by channel + ts),
/// <c>chat.getPermalink</c> (a stable URL per message) and <c>usergroups.users.list</c>; an optional per-channel rate
/// limit answering HTTP 429 + Retry-After, and counters of the 429s it answered.
/// </summary>
public sealed class FakeSlackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeSlackOptions _options;
    private readonly ConcurrentQueue<SlackRequest> _requests = new();
    private readonly ConcurrentQueue<SlackPost> _messages = new();
    private readonly ConcurrentQueue<SlackPost> _replies = new();
    private readonly ConcurrentQueue<SlackUpdate> _updates = new();
    private readonly ConcurrentDictionary<(string Channel, string Ts), JsonObject> _current = new();
    private readonly ConcurrentDictionary<string, string[]> _userGroups;
    private readonly ConcurrentDictionary<string, int> _rateLimitedByChannel = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _recentPosts = new();
    private readonly object _paceGate = new();
    private long _ts;
    private int _rateLimited;

    private FakeSlackServer(WebApplication app, FakeSlackOptions options)
    {
        _app = app;
        _options = options;
        _userGroups = new ConcurrentDictionary<string, string[]>(options.UserGroups ?? new Dictionary<string, string[]>());
    }

    public event Action<SlackRequest>? Received;

    /// <summary>Every request, answered or refused, in arrival order.</summary>
    public IReadOnlyList<SlackRequest> Requests => _requests.ToArray();

    /// <summary>Top-level messages Slack accepted (no <c>thread_ts</c>).</summary>
    public IReadOnlyList<SlackPost> Messages => _messages.ToArray();

    /// <summary>Thread replies Slack accepted (with <c>thread_ts</c>).</summary>
    public IReadOnlyList<SlackPost> Replies => _replies.ToArray();

    /// <summary>Edits Slack accepted, in order.</summary>
    public IReadOnlyList<SlackUpdate> Updates => _updates.ToArray();

    /// <summary>How many HTTP 429 answers the fake gave (its rate limit or a script).</summary>
    public int RateLimitedCount => Volatile.Read(ref _rateLimited);

    /// <summary>Base URL to use as SLACK_API_URL, ending in <c>/api/</c>.</summary>
    public Uri ApiUrl { get; private set; } = null!;

    /// <summary>The replies in the thread of <paramref name="threadTs"/>, in order.</summary>
    public IReadOnlyList<SlackPost> RepliesTo(string channel, string threadTs) =>
        _replies.Where(r => r.Channel == channel && r.ThreadTs == threadTs).ToList();

    /// <summary>The edits of the message at <paramref name="channel"/> + <paramref name="ts"/>, in order.</summary>
    public IReadOnlyList<SlackUpdate> UpdatesOf(string channel, string ts) =>
        _updates.Where(u => u.Channel == channel && u.Ts == ts).ToList();

    /// <summary>The message as Slack shows it now (its last edit, else as posted); null if there is none.</summary>
    public JsonObject? CurrentMessage(string channel, string ts) => _current.GetValueOrDefault((channel, ts));

    /// <summary>How many HTTP 429 answers went to posts to <paramref name="channel"/>.</summary>
    public int RateLimitedCountFor(string channel) => _rateLimitedByChannel.GetValueOrDefault(channel);

    /// <summary>The stable link <c>chat.getPermalink</c> gives for a message.</summary>
    public Uri PermalinkOf(string channel, string ts) => new(ApiUrl, $"/archives/{channel}/p{ts.Replace(".", "", StringComparison.Ordinal)}");

    /// <summary>Sets the members <c>usergroups.users.list</c> answers for <paramref name="groupId"/>.</summary>
    public void SetUserGroup(string groupId, params string[] members) => _userGroups[groupId] = members;

    public static async Task<FakeSlackServer> StartAsync(FakeSlackOptions? options = null)
    {
        options ??= new FakeSlackOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        var app = builder.Build();
        var server = new FakeSlackServer(app, options);
        app.MapPost("/api/{method}", server.HandleAsync);
        app.MapGet("/api/{method}", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.ApiUrl = new Uri(address.Replace("0.0.0.0", "127.0.0.1").TrimEnd('/') + "/api/");
        return server;
    }

    /// <summary>Waits until a request matching <paramref name="match"/> has been received.</summary>
    public async Task<SlackRequest> WaitForAsync(Func<SlackRequest, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var found = _requests.FirstOrDefault(match);
            if (found is not null) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no matching Slack request within {timeout.TotalSeconds:F0} s; received {_requests.Count}");
    }

    /// <summary>Waits until <paramref name="condition"/> holds (e.g. on <see cref="Updates"/> or <see cref="Replies"/>).</summary>
    public async Task WaitUntilAsync(Func<FakeSlackServer, bool> condition, TimeSpan timeout, string what = "the condition")
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(this)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{what} did not hold within {timeout.TotalSeconds:F0} s; received {_requests.Count} requests");
    }

    private async Task<IResult> HandleAsync(HttpContext http, string method)
    {
        var now = DateTimeOffset.UtcNow;
        JsonObject? body = null;
        try
        {
            if (HttpMethods.IsGet(http.Request.Method))
            {
                body = new JsonObject();
                foreach (var (k, v) in http.Request.Query) body[k] = v.ToString();
            }
            else if (http.Request.HasFormContentType)
            {
                var form = await http.Request.ReadFormAsync();
                body = new JsonObject();
                foreach (var (k, v) in form) body[k] = v.ToString();
            }
            else
            {
                body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync()) as JsonObject;
            }
        }
        catch (System.Text.Json.JsonException) { }

        var probe = new SlackRequest(now, http.Request.Path, http.Request.Headers.Authorization.ToString(), body, 0, null);
        var reply = _options.Script?.Invoke(probe) ?? Decide(probe, method, now);
        var recorded = probe with { Status = reply.Status, Error = reply.Error };
        if (reply.Status == 429)
        {
            Interlocked.Increment(ref _rateLimited);
            if (recorded.Channel is { } limited) _rateLimitedByChannel.AddOrUpdate(limited, 1, (_, n) => n + 1);
        }

        if (reply.RetryAfterSeconds is { } seconds)
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (reply.Status != 200)
        {
            Record(recorded);
            return Results.Json(new { ok = false, error = reply.Error ?? "http_error" }, statusCode: reply.Status);
        }
        if (reply.Error is not null)
        {
            Record(recorded);
            return Results.Json(new { ok = false, error = reply.Error });
        }

        var answer = Accept(recorded, method, now);
        Record(recorded);
        return answer;
    }

    private void Record(SlackRequest request)
    {
        _requests.Enqueue(request);
        Received?.Invoke(request);
    }

    /// <summary>Carries out an accepted call and answers it as Slack would.</summary>
    private IResult Accept(SlackRequest request, string method, DateTimeOffset now)
    {
        var channel = request.Channel ?? "";
        switch (method)
        {
            case "chat.postMessage":
            {
                var ts = $"{now.ToUnixTimeSeconds()}.{Interlocked.Increment(ref _ts):D6}";
                var body = request.Body?.DeepClone() as JsonObject ?? new JsonObject();
                var broadcast = body["reply_broadcast"] is JsonValue b && b.TryGetValue<bool>(out var on) && on;
                var post = new SlackPost(now, channel, ts, request.ThreadTs, broadcast, body);
                _current[(channel, ts)] = body;
                (request.ThreadTs is null ? _messages : _replies).Enqueue(post);
                return Results.Json(new { ok = true, channel, ts });
            }
            case "chat.update":
            {
                var ts = request.Ts ?? "";
                var body = request.Body?.DeepClone() as JsonObject ?? new JsonObject();
                _current[(channel, ts)] = body;
                _updates.Enqueue(new SlackUpdate(now, channel, ts, body));
                return Results.Json(new { ok = true, channel, ts, text = request.Text });
            }
            case "chat.getPermalink":
            {
                var ts = SlackRequest.StringOf(request.Body, "message_ts") ?? "";
                return Results.Json(new { ok = true, channel, permalink = PermalinkOf(channel, ts).ToString() });
            }
            default: // usergroups.users.list
                return Results.Json(new { ok = true, users = _userGroups.GetValueOrDefault(SlackRequest.StringOf(request.Body, "usergroup") ?? "") ?? [] });
        }
    }

    private SlackReply Decide(SlackRequest request, string method, DateTimeOffset now)
    {
        if (method is not ("chat.postMessage" or "chat.update" or "chat.getPermalink" or "usergroups.users.list")) return new SlackReply(404, "unknown_method");
        if (_options.ExpectedToken is { } token && request.Authorization != $"Bearer {token}") return new SlackReply(200, "invalid_auth");
        if (request.Body is null) return new SlackReply(200, "invalid_json");
        if (method == "usergroups.users.list")
            return _userGroups.ContainsKey(SlackRequest.StringOf(request.Body, "usergroup") ?? "") ? new SlackReply(200) : new SlackReply(200, "no_such_subteam");
        if (string.IsNullOrEmpty(request.Channel)) return new SlackReply(200, "channel_not_found");
        if (method == "chat.getPermalink")
            return SlackRequest.StringOf(request.Body, "message_ts") is { } linked && _current.ContainsKey((request.Channel!, linked))
                ? new SlackReply(200) : new SlackReply(200, "message_not_found");
        if (method == "chat.update" && (request.Ts is not { } edited || !_current.ContainsKey((request.Channel!, edited))))
            return new SlackReply(200, "message_not_found");
        if (string.IsNullOrEmpty(request.Text) && request.Body["blocks"] is null) return new SlackReply(200, "no_text");

        if (_options.MessagesPerSecondPerChannel is { } rate && method == "chat.postMessage")
        {
            var window = rate >= 1 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1 / rate);
            var capacity = rate >= 1 ? (int)Math.Floor(rate) : 1;
            lock (_paceGate)
            {
                if (!_recentPosts.TryGetValue(request.Channel!, out var recent)) _recentPosts[request.Channel!] = recent = new Queue<DateTimeOffset>();
                while (recent.Count > 0 && now - recent.Peek() >= window) recent.Dequeue();
                if (recent.Count >= capacity)
                {
                    var wait = (int)Math.Ceiling((window - (now - recent.Peek())).TotalSeconds);
                    return new SlackReply(429, "ratelimited", Math.Max(1, wait));
                }
                recent.Enqueue(now);
            }
        }
        return new SlackReply(200);
    }

    /// <summary>Completes when the process is asked to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
