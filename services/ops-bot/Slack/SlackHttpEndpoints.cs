using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using OpsBot.Bot.Commands;
using OpsBot.Bot.Interactions;

namespace OpsBot.Bot.Slack;

/// <summary>
/// Slack's HTTP request URLs for deployments without Socket Mode: <c>POST /slack/commands</c> and
/// <c>POST /slack/interactions</c>. Every request passes <see cref="SlackRequestGate"/> first (signature,
/// then "signature not seen before"); a refused one runs nothing.
/// </summary>
public static class SlackHttpEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/slack/commands", HandleCommandAsync);
        app.MapPost("/slack/interactions", HandleInteractionAsync);
    }

    private static async Task<IResult> HandleCommandAsync(HttpContext http, SlackRequestGate gate, SlashCommandProcessor commands)
    {
        var (body, refusal) = await gate.AdmitAsync(http);
        if (body is null) return refusal!;
        var form = QueryHelpers.ParseQuery(body);
        if (form.TryGetValue("ssl_check", out var ssl) && ssl == "1") return Results.Ok();
        var request = SlashCommandRequest.From(name => form.TryGetValue(name, out var v) ? v.ToString() : null);
        var answer = await commands.HandleAsync(request, http.RequestAborted);
        return answer is null ? Results.Ok() : Results.Text(answer.ToJsonString(), "application/json", Encoding.UTF8);
    }

    private static async Task<IResult> HandleInteractionAsync(HttpContext http, SlackRequestGate gate, InteractionProcessor interactions, BackgroundWork background)
    {
        var (body, refusal) = await gate.AdmitAsync(http);
        if (body is null) return refusal!;
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
}
