using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using OpsBot.Bot.Commands;
using OpsBot.Bot.Interactions;

namespace OpsBot.Bot.Slack;

/// <summary>
/// Slack's HTTP request URLs for deployments without Socket Mode: <c>POST /slack/commands</c> and
/// <c>POST /slack/interactions</c>. The raw body is checked against <c>SLACK_SIGNING_SECRET</c> before
/// anything is parsed; a failed check is answered 401 and nothing runs.
/// </summary>
public static class SlackHttpEndpoints
{
    public const int MaxBodyBytes = 1024 * 1024;

    public static void Map(WebApplication app)
    {
        app.MapPost("/slack/commands", HandleCommandAsync);
        app.MapPost("/slack/interactions", HandleInteractionAsync);
    }

    private static async Task<IResult> HandleCommandAsync(HttpContext http, SlackSignatureVerifier verifier, SlashCommandProcessor commands, ILoggerFactory logs)
    {
        if (await ReadVerifiedAsync(http, verifier, logs) is not { } body) return Results.Unauthorized();
        var form = QueryHelpers.ParseQuery(body);
        if (form.TryGetValue("ssl_check", out var ssl) && ssl == "1") return Results.Ok();
        var request = SlashCommandRequest.From(name => form.TryGetValue(name, out var v) ? v.ToString() : null);
        var answer = await commands.HandleAsync(request, http.RequestAborted);
        return answer is null ? Results.Ok() : Results.Text(answer.ToJsonString(), "application/json", Encoding.UTF8);
    }

    private static async Task<IResult> HandleInteractionAsync(HttpContext http, SlackSignatureVerifier verifier, InteractionProcessor interactions, BackgroundWork background, ILoggerFactory logs)
    {
        if (await ReadVerifiedAsync(http, verifier, logs) is not { } body) return Results.Unauthorized();
        var form = QueryHelpers.ParseQuery(body);
        JsonObject? payload = null;
        if (form.TryGetValue("payload", out var raw))
        {
            try { payload = JsonNode.Parse(raw.ToString()) as JsonObject; }
            catch (JsonException) { }
        }
        if (payload is null) return Results.BadRequest();
        _ = background.Run("interaction", ct => interactions.HandleAsync(payload, ct));
        return Results.Ok();
    }

    /// <summary>The raw body as text when the signature holds; null (and a warning) when not.</summary>
    private static async Task<string?> ReadVerifiedAsync(HttpContext http, SlackSignatureVerifier verifier, ILoggerFactory logs)
    {
        var body = await ReadBodyAsync(http.Request);
        var check = body is null
            ? SignatureCheck.Mismatch
            : verifier.Verify(http.Request.Headers[SlackSignatureVerifier.TimestampHeader].ToString(), http.Request.Headers[SlackSignatureVerifier.SignatureHeader].ToString(), body);
        if (check == SignatureCheck.Valid) return Encoding.UTF8.GetString(body!);
        logs.CreateLogger("OpsBot.Bot.Slack.Signature").LogWarning("Refused {Path} from {Remote}: signature check {Check}", http.Request.Path, http.Connection.RemoteIpAddress, check);
        return null;
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
