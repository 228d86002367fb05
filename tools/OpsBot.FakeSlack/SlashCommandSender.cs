using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OpsBot.FakeSlack;

/// <summary>Where to send a slash command and how to sign it; the user and channel it comes from.</summary>
public sealed record SlashCommandOptions(Uri OpsBotUrl, string SigningSecret)
{
    public string UserId { get; init; } = "U0DEMO";
    public string ChannelId { get; init; } = "C0DEMO";
    /// <summary>How long to wait for an answer that comes later through the response_url.</summary>
    public TimeSpan LateAnswerTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public override string ToString() => $"SlashCommandOptions {{ OpsBotUrl = {OpsBotUrl}, UserId = {UserId}, ChannelId = {ChannelId} }}"; // never the secret
}

public enum SlashCommandOutcome
{
    /// <summary>The answer came in the acknowledgement itself (within ops-bot's OPS_INLINE_ANSWER_MS).</summary>
    AnsweredInline,
    /// <summary>The acknowledgement was empty and the answer came through the response_url.</summary>
    AnsweredLater,
    /// <summary>Acknowledged, but no answer came through the response_url in time.</summary>
    NoAnswer,
    /// <summary>ops-bot refused the request (401 bad signature or replay, 503 replay check unavailable, …).</summary>
    Refused,
    /// <summary>No HTTP answer at all (nothing listening, timeout).</summary>
    Unreachable,
}

public sealed record SlashCommandResult(SlashCommandOutcome Outcome, int? Status, JsonObject? Answer, string Detail);

/// <summary>
/// Sends a slash command to ops-bot's <c>POST /slack/commands</c> exactly as Slack does: the form fields Slack sends
/// (<c>command</c>, <c>text</c>, <c>user_id</c>, <c>channel_id</c>, <c>response_url</c>, <c>trigger_id</c>, …),
/// form-encoded, signed with <c>X-Slack-Signature: v0=hex(HMAC-SHA256(signing secret, "v0:{timestamp}:{body}"))</c>
/// and <c>X-Slack-Request-Timestamp</c>. Its response_url is a listener of its own on loopback, so an answer
/// ops-bot sends later arrives here too.
/// </summary>
public sealed class SlashCommandSender(SlashCommandOptions options, HttpClient http, TimeProvider time)
{
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public const string SignatureHeader = "X-Slack-Signature";

    /// <summary>Slack's request signature of <paramref name="body"/> sent at <paramref name="timestamp"/> (Unix seconds).</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public async Task<SlashCommandResult> SendAsync(string command, string text, CancellationToken cancellationToken)
    {
        await using var responses = await ResponseUrlListener.StartAsync();
        var body = await new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = "demo-verification-token",
            ["team_id"] = "T0DEMO",
            ["team_domain"] = "opsbot-demo",
            ["channel_id"] = options.ChannelId,
            ["channel_name"] = "ops",
            ["user_id"] = options.UserId,
            ["user_name"] = "demo",
            ["command"] = command,
            ["text"] = text,
            ["api_app_id"] = "A0DEMO",
            ["is_enterprise_install"] = "false",
            ["response_url"] = responses.Url.ToString(),
            ["trigger_id"] = $"{time.GetUtcNow().ToUnixTimeMilliseconds()}.{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}",
        }).ReadAsByteArrayAsync(cancellationToken);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.OpsBotUrl, "slack/commands")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.TryAddWithoutValidation("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)");
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, Sign(options.SigningSecret, timestamp, body));

        HttpResponseMessage response;
        try { response = await http.SendAsync(request, cancellationToken); }
        catch (HttpRequestException e) { return new SlashCommandResult(SlashCommandOutcome.Unreachable, null, null, $"cannot reach ops-bot at {options.OpsBotUrl} ({e.HttpRequestError})"); }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { return new SlashCommandResult(SlashCommandOutcome.Unreachable, null, null, $"ops-bot at {options.OpsBotUrl} did not answer in time"); }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode != HttpStatusCode.OK)
                return new SlashCommandResult(SlashCommandOutcome.Refused, status, null, Refusal(response.StatusCode));
            var ack = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!string.IsNullOrWhiteSpace(ack))
                return new SlashCommandResult(SlashCommandOutcome.AnsweredInline, status, Parse(ack), "answered inside the acknowledgement");
        }

        var started = time.GetUtcNow();
        var late = await responses.WaitAsync(options.LateAnswerTimeout, cancellationToken);
        return late is null
            ? new SlashCommandResult(SlashCommandOutcome.NoAnswer, 200, null, $"acknowledged, but no answer came through the response_url within {options.LateAnswerTimeout.TotalSeconds:F0} s")
            : new SlashCommandResult(SlashCommandOutcome.AnsweredLater, 200, late, $"answered through the response_url {(time.GetUtcNow() - started).TotalSeconds:F1} s after the acknowledgement");
    }

    private static string Refusal(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "ops-bot refused the request (401): the signature did not verify. Is SLACK_SIGNING_SECRET the running bot's?",
        HttpStatusCode.ServiceUnavailable => "ops-bot refused the request (503): it cannot check it against replays right now (Redis unreachable?)",
        HttpStatusCode.NotFound => "ops-bot has no /slack/commands (404): it runs without SLACK_SIGNING_SECRET, or this is not ops-bot",
        _ => $"ops-bot answered HTTP {(int)status}",
    };

    private static JsonObject Parse(string json)
    {
        try { return JsonNode.Parse(json) as JsonObject ?? new JsonObject { ["text"] = json }; }
        catch (JsonException) { return new JsonObject { ["text"] = json }; }
    }
}

/// <summary>A one-shot response_url on loopback: the first JSON message posted to it is the late answer.</summary>
internal sealed class ResponseUrlListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<JsonObject> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _path = "/response/" + Guid.NewGuid().ToString("N");

    private ResponseUrlListener(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public static async Task<ResponseUrlListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var listener = new ResponseUrlListener(app);
        app.MapPost("/response/{id}", async (HttpContext http) =>
        {
            if (http.Request.Path != listener._path) return Results.NotFound();
            var text = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync();
            JsonObject? message = null;
            try { message = JsonNode.Parse(text) as JsonObject; } catch (JsonException) { }
            if (message is null) return Results.BadRequest();
            listener._answer.TrySetResult(message);
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        listener.Url = new Uri(address.TrimEnd('/') + listener._path);
        return listener;
    }

    /// <summary>The answer posted to the response_url, or null when none came within <paramref name="timeout"/>.</summary>
    public async Task<JsonObject?> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try { return await _answer.Task.WaitAsync(timeout, cancellationToken); }
        catch (TimeoutException) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
