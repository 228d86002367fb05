using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OpsBot.FakeSlack;

/// <summary>One webhook post the Teams fake received, and what it answered.</summary>
public sealed record TeamsRequest(DateTimeOffset At, string PathAndQuery, int Bytes, JsonObject? Body, int Status, string? ResponseBody)
{
    public string Json => Body?.ToJsonString() ?? "";
    /// <summary>Accepted by "Teams" (any 2xx without an error in the body).</summary>
    public bool Accepted => Status is >= 200 and < 300 && (ResponseBody is null || !ResponseBody.Contains("HTTP error", StringComparison.Ordinal));
}

/// <summary>A scripted answer: status and body (e.g. 200 with the connector's "HTTP error 429" text), and an optional Retry-After.</summary>
public sealed record TeamsReply(int Status, string? Body = null, int? RetryAfterSeconds = null)
{
    /// <summary>How the legacy connector reports throttling: HTTP 200 with this text.</summary>
    public static TeamsReply ThrottledBody() => new(200, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0..");
}

public sealed class FakeTeamsOptions
{
    /// <summary>Posts faster than this get throttled (see <see cref="ThrottleWithBody"/>). Null: no limit.</summary>
    public double? MessagesPerSecond { get; init; }
    /// <summary>Throttle the legacy way (HTTP 200 + "HTTP error 429" body) instead of HTTP 429 + Retry-After.</summary>
    public bool ThrottleWithBody { get; init; }
    /// <summary>Lets a test answer a request its own way (outage, throttling); null falls through to normal behaviour.</summary>
    public Func<TeamsRequest, TeamsReply?>? Script { get; init; }
    public int Port { get; init; }
    public string Host { get; init; } = "127.0.0.1";
}

/// <summary>
/// A Teams webhook stand-in on Kestrel: any POST path (use <see cref="WebhookUrl"/>, which carries a fake
/// signature like a Workflows URL) answers 202 Accepted like Power Automate Workflows; payloads of 28 KB or more
/// get 413; the message must be an Adaptive Card envelope or a MessageCard (else 400); optional pacing with
/// 429 + Retry-After or the legacy "HTTP error 429" body; scripted faults.
/// </summary>
public sealed class FakeTeamsServer : IAsyncDisposable
{
    public const int MaxBytes = 28 * 1024;
    private readonly WebApplication _app;
    private readonly FakeTeamsOptions _options;
    private readonly ConcurrentQueue<TeamsRequest> _requests = new();
    private readonly object _paceGate = new();
    private DateTimeOffset _lastPost = DateTimeOffset.MinValue;

    private FakeTeamsServer(WebApplication app, FakeTeamsOptions options)
    {
        _app = app;
        _options = options;
    }

    public IReadOnlyList<TeamsRequest> Requests => _requests.ToArray();

    /// <summary>A Workflows-like URL to use as TEAMS_WEBHOOK_URL; its <c>sig</c> is a secret the notifier must never log.</summary>
    public Uri WebhookUrl { get; private set; } = null!;
    public string Signature { get; } = "sig-" + Guid.NewGuid().ToString("N");

    public static async Task<FakeTeamsServer> StartAsync(FakeTeamsOptions? options = null)
    {
        options ??= new FakeTeamsOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        var app = builder.Build();
        var server = new FakeTeamsServer(app, options);
        app.MapPost("/{**path}", (Delegate)server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("0.0.0.0", "127.0.0.1").TrimEnd('/');
        server.WebhookUrl = new Uri($"{address}/workflows/0f1e2d/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={server.Signature}");
        return server;
    }

    public async Task<TeamsRequest> WaitForAsync(Func<TeamsRequest, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var found = _requests.FirstOrDefault(match);
            if (found is not null) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no matching Teams request within {timeout.TotalSeconds:F0} s; received {_requests.Count}");
    }

    private async Task<IResult> HandleAsync(HttpContext http)
    {
        var now = DateTimeOffset.UtcNow;
        var raw = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync();
        var bytes = Encoding.UTF8.GetByteCount(raw);
        JsonObject? body = null;
        try { body = JsonNode.Parse(raw) as JsonObject; } catch (System.Text.Json.JsonException) { }

        var probe = new TeamsRequest(now, http.Request.Path + http.Request.QueryString, bytes, body, 0, null);
        var reply = _options.Script?.Invoke(probe) ?? Decide(probe, now);
        _requests.Enqueue(probe with { Status = reply.Status, ResponseBody = reply.Body });

        if (reply.RetryAfterSeconds is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Text(reply.Body ?? "", "text/plain", Encoding.UTF8, reply.Status);
    }

    private TeamsReply Decide(TeamsRequest request, DateTimeOffset now)
    {
        if (!request.PathAndQuery.Contains("sig=" + Signature, StringComparison.Ordinal)) return new TeamsReply(401, "invalid signature");
        if (request.Bytes >= MaxBytes) return new TeamsReply(413, "RequestEntityTooLarge");
        if (!IsAdaptiveCardEnvelope(request.Body) && request.Body?["@type"]?.GetValue<string>() != "MessageCard")
            return new TeamsReply(400, "not an Adaptive Card message or a MessageCard");
        if (_options.MessagesPerSecond is { } rate)
        {
            var interval = TimeSpan.FromSeconds(1 / rate);
            lock (_paceGate)
            {
                if (now - _lastPost < interval)
                {
                    return _options.ThrottleWithBody
                        ? TeamsReply.ThrottledBody()
                        : new TeamsReply(429, "Too many requests", Math.Max(1, (int)Math.Ceiling((interval - (now - _lastPost)).TotalSeconds)));
                }
                _lastPost = now;
            }
        }
        return new TeamsReply(202);
    }

    private static bool IsAdaptiveCardEnvelope(JsonObject? body) =>
        body?["type"]?.GetValue<string>() == "message"
        && body["attachments"] is JsonArray { Count: > 0 } attachments
        && attachments[0]?["contentType"]?.GetValue<string>() == "application/vnd.microsoft.card.adaptive"
        && attachments[0]?["content"]?["type"]?.GetValue<string>() == "AdaptiveCard";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
