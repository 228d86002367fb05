using System.Text;
using System.Text.Json.Nodes;
using OpsBot.Bot.Slack;

namespace OpsBot.OpsBot.Tests.Fakes;

/// <summary>Slash-command and button payloads as Slack sends them, and signed HTTP requests for the request URLs.</summary>
public static class SlackPayloads
{
    public static JsonObject SlashCommand(string text, string user, Uri responseUrl) => new()
    {
        ["token"] = "deprecated-verification-token",
        ["team_id"] = "T0001",
        ["channel_id"] = "C0001",
        ["user_id"] = user,
        ["command"] = "/ops",
        ["text"] = text,
        ["response_url"] = responseUrl.ToString(),
        ["trigger_id"] = TriggerId(),
    };

    /// <summary>Unique per invocation, as Slack makes them (a delivery Slack repeats carries the same one).</summary>
    public static string TriggerId() => $"{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}.{Random.Shared.NextInt64(1_000_000, 9_999_999)}.{Guid.NewGuid():N}";

    public static JsonObject ButtonClick(string actionId, string value, string user, Uri responseUrl, JsonObject? message = null) => new()
    {
        ["type"] = "block_actions",
        ["user"] = new JsonObject { ["id"] = user, ["username"] = "someone" },
        ["team"] = new JsonObject { ["id"] = "T0001" },
        ["channel"] = new JsonObject { ["id"] = "C0001" },
        ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = "1700000000.000100", ["channel_id"] = "C0001" },
        ["response_url"] = responseUrl.ToString(),
        ["trigger_id"] = TriggerId(),
        ["message"] = message ?? new JsonObject { ["ts"] = "1700000000.000100", ["text"] = "[CRITICAL] PnL loss", ["blocks"] = new JsonArray() },
        ["actions"] = new JsonArray { new JsonObject { ["action_id"] = actionId, ["block_id"] = "opsbot_alert_actions", ["value"] = value, ["type"] = "button" } },
    };

    /// <summary>An alert message as the notifier posts it (header, text, buttons).</summary>
    public static JsonObject AlertMessage(string dedupKey) => new()
    {
        ["ts"] = "1700000000.000100",
        ["text"] = "[CRITICAL] PnL loss on momentum",
        ["blocks"] = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "🔴 CRITICAL: PnL loss" } },
            new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = "momentum lost 12,000 USD" } },
            new JsonObject
            {
                ["type"] = "actions",
                ["block_id"] = "opsbot_alert_actions",
                ["elements"] = new JsonArray
                {
                    new JsonObject { ["type"] = "button", ["action_id"] = "opsbot_alert_ack", ["value"] = dedupKey },
                    new JsonObject { ["type"] = "button", ["action_id"] = "opsbot_alert_silence_1h", ["value"] = dedupKey },
                },
            },
        },
    };

    public static string Form(JsonObject fields) =>
        string.Join('&', fields.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value?.GetValue<string>() ?? "")}"));

    public static string InteractionForm(JsonObject payload) => "payload=" + Uri.EscapeDataString(payload.ToJsonString());

    /// <summary>A POST as Slack signs it; the parts can be spoiled to test refusals.</summary>
    public static HttpRequestMessage Signed(Uri url, string body, string secret, DateTimeOffset at, string? bodyOnTheWire = null, bool withTimestamp = true, bool withSignature = true, int? retryNum = null)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString();
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(bodyOnTheWire ?? body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        if (withTimestamp) request.Headers.Add(SlackSignatureVerifier.TimestampHeader, timestamp);
        if (withSignature) request.Headers.Add(SlackSignatureVerifier.SignatureHeader, SlackSignatureVerifier.Signature(secret, timestamp, Encoding.UTF8.GetBytes(body)));
        if (retryNum is { } n)
        {
            request.Headers.Add("X-Slack-Retry-Num", n.ToString());
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }
        return request;
    }
}
