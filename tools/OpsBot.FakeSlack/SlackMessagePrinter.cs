using System.Text.Json.Nodes;

namespace OpsBot.FakeSlack;

/// <summary>Prints a received Slack message the way a person reads it in a channel.</summary>
public static class SlackMessagePrinter
{
    public static void Print(SlackRequest request)
    {
        var lines = new List<string>
        {
            $"──── Slack {request.Path} → #{request.Channel} at {request.At:HH:mm:ss} (answered {request.Status}{(request.Error is null ? "" : " " + request.Error)})",
        };
        lines.AddRange(BodyLines(request.Body));
        Console.WriteLine(string.Join(Environment.NewLine, lines));
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
