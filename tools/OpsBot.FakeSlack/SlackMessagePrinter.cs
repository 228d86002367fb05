using System.Text.Json.Nodes;

namespace OpsBot.FakeSlack;

/// <summary>
/// Prints a received Slack message the way a person reads it in a channel: a new message, an edit of one already in
/// the channel (Slack shows the new content in place, marked "edited"), or a reply in a message's thread.
/// </summary>
public static class SlackMessagePrinter
{
    public static void Print(SlackRequest request) => Console.WriteLine(Format(request));

    /// <summary>What <see cref="Print"/> writes: a heading (new message, edit, or thread reply) and the body's lines.</summary>
    public static string Format(SlackRequest request)
    {
        var answered = $"answered {request.Status}{(request.Error is null ? "" : " " + request.Error)}";
        var heading = request.Path.EndsWith("chat.update", StringComparison.Ordinal)
            ? $"──── Slack ✎ the message {request.Ts} in #{request.Channel} edited at {request.At:HH:mm:ss} ({answered}); it now reads:"
            : request.ThreadTs is { } thread
                ? $"──── Slack ↳ reply in the thread of {thread} in #{request.Channel} at {request.At:HH:mm:ss} ({answered})"
                : $"──── Slack {request.Path} → #{request.Channel} at {request.At:HH:mm:ss} ({answered})";
        var lines = new List<string> { heading };
        lines.AddRange(BodyLines(request.Body));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>A message's blocks (header, sections, fields, context, buttons) as indented lines; its text when it has no blocks.</summary>
    public static IReadOnlyList<string> BodyLines(JsonObject? body)
    {
        var lines = new List<string>();
        if (body?["blocks"] is JsonArray blocks)
        {
            foreach (var block in blocks.OfType<JsonObject>())
            {
                switch (block["type"]?.GetValue<string>())
                {
                    case "header": lines.Add($"  {block["text"]?["text"]}"); break;
                    case "section" when block["text"] is not null:
                        lines.AddRange(block["text"]?["text"]?.ToString().Split('\n').Select(l => $"  {l}") ?? []);
                        break;
                    case "section":
                        var fields = block["fields"]?.AsArray().Select(f => f?["text"]?.GetValue<string>()?.Replace("\n", ": ").Replace("*", "")) ?? [];
                        lines.Add($"  {string.Join(" · ", fields)}");
                        break;
                    case "context":
                        var parts = block["elements"]?.AsArray().Select(e => e?["text"]?.GetValue<string>()) ?? [];
                        lines.Add($"  ({string.Join(", ", parts)})");
                        break;
                    case "actions":
                        var buttons = block["elements"]?.AsArray().Select(e => $"[{e?["text"]?["text"]}]") ?? [];
                        lines.Add($"  {string.Join(" ", buttons)}");
                        break;
                }
            }
        }
        else
        {
            lines.Add($"  {body?["text"]}");
        }
        return lines;
    }
}
