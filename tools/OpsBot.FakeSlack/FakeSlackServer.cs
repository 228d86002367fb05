using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OpsBot.FakeSlack;

/// <summary>One request the fake received, and what it answered.</summary>
public sealed record SlackRequest(DateTimeOffset At, string Path, string? Authorization, JsonObject? Body, int Status, string? Error)
{
    public string? Channel => Body?["channel"]?.GetValue<string>();
    public string? Text => Body?["text"]?.GetValue<string>();
}

/// <summary>A scripted answer: the status code, Slack's error code (null for ok) and an optional Retry-After.</summary>
public sealed record SlackReply(int Status, string? Error = null, int? RetryAfterSeconds = null);

public sealed class FakeSlackOptions
{
    /// <summary>When set, any other bearer token is answered with <c>invalid_auth</c>.</summary>
    public string? ExpectedToken { get; init; }
    /// <summary>Slack's per-channel pace; faster posts get HTTP 429 with Retry-After. Null: no limit.</summary>
    public double? MessagesPerSecondPerChannel { get; init; }
    /// <summary>Lets a test answer a request its own way (outage, errors); null falls through to normal behaviour.</summary>
    public Func<SlackRequest, SlackReply?>? Script { get; init; }
    public int Port { get; init; }
    public string Host { get; init; } = "127.0.0.1";
}

/// <summary>
/// A Slack Web API stand-in on Kestrel: <c>POST /api/chat.postMessage</c> (and <c>chat.update</c>)
/// with bearer-token checks, per-channel rate limiting with HTTP 429 + Retry-After, and scripted faults.
/// </summary>
public sealed class FakeSlackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeSlackOptions _options;
    private readonly ConcurrentQueue<SlackRequest> _requests = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastPost = new();
    private readonly object _paceGate = new();
    private long _ts;

    private FakeSlackServer(WebApplication app, FakeSlackOptions options)
    {
        _app = app;
        _options = options;
    }

    public event Action<SlackRequest>? Received;

    public IReadOnlyList<SlackRequest> Requests => _requests.ToArray();

    /// <summary>Base URL to use as SLACK_API_URL, ending in <c>/api/</c>.</summary>
    public Uri ApiUrl { get; private set; } = null!;

    public static async Task<FakeSlackServer> StartAsync(FakeSlackOptions? options = null)
    {
        options ??= new FakeSlackOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        var app = builder.Build();
        var server = new FakeSlackServer(app, options);
        app.MapPost("/api/{method}", server.HandleAsync);
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

    private async Task<IResult> HandleAsync(HttpContext http, string method)
    {
        var now = DateTimeOffset.UtcNow;
        JsonObject? body = null;
        try
        {
            if (http.Request.HasFormContentType)
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
        _requests.Enqueue(recorded);
        Received?.Invoke(recorded);

        if (reply.RetryAfterSeconds is { } seconds)
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (reply.Status != 200)
            return Results.Json(new { ok = false, error = reply.Error ?? "http_error" }, statusCode: reply.Status);
        if (reply.Error is not null)
            return Results.Json(new { ok = false, error = reply.Error });
        var ts = $"{now.ToUnixTimeSeconds()}.{Interlocked.Increment(ref _ts):D6}";
        return Results.Json(new { ok = true, channel = recorded.Channel, ts });
    }

    private SlackReply Decide(SlackRequest request, string method, DateTimeOffset now)
    {
        if (method is not ("chat.postMessage" or "chat.update")) return new SlackReply(404, "unknown_method");
        if (_options.ExpectedToken is { } token && request.Authorization != $"Bearer {token}") return new SlackReply(200, "invalid_auth");
        if (request.Body is null) return new SlackReply(200, "invalid_json");
        if (string.IsNullOrEmpty(request.Channel)) return new SlackReply(200, "channel_not_found");
        if (string.IsNullOrEmpty(request.Text) && request.Body["blocks"] is null) return new SlackReply(200, "no_text");

        if (_options.MessagesPerSecondPerChannel is { } rate && method == "chat.postMessage")
        {
            var interval = TimeSpan.FromSeconds(1 / rate);
            lock (_paceGate)
            {
                if (_lastPost.TryGetValue(request.Channel!, out var last) && now - last < interval)
                {
                    var wait = (int)Math.Ceiling((interval - (now - last)).TotalSeconds);
                    return new SlackReply(429, "ratelimited", Math.Max(1, wait));
                }
                _lastPost[request.Channel!] = now;
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
