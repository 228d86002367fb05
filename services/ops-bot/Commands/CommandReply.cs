using System.Text.Json.Nodes;
using OpsBot.Bot.Slack;

namespace OpsBot.Bot.Commands;

/// <summary>Who asked, where, and the correlation id that follows the command into every event it causes.</summary>
public sealed record CommandContext(string UserId, string? ChannelId, Guid CorrelationId);

/// <summary>An answer to a command: mrkdwn text, optional blocks; ephemeral (only the asker sees it) unless said otherwise.</summary>
public sealed record CommandReply(string Text, JsonArray? Blocks = null, bool Ephemeral = true)
{
    public JsonObject ToSlack()
    {
        var message = new JsonObject
        {
            ["response_type"] = Ephemeral ? "ephemeral" : "in_channel",
            ["text"] = Text,
        };
        if (Blocks is not null) message["blocks"] = Blocks.DeepClone();
        else message["blocks"] = new JsonArray { new JsonObject { ["type"] = "section", ["text"] = SlackJson.Markdown(Truncate(Text)) } };
        return message;
    }

    private static string Truncate(string text) => text.Length <= 2900 ? text : text[..2900] + "\n… [truncated]";
}

/// <summary>Runs one kind of command. Resolved per command type; the last registration wins, so a deployment (or a test) can replace one.</summary>
public interface ICommandHandler<in TCommand> where TCommand : OpsCommand
{
    Task<CommandReply> HandleAsync(TCommand command, CommandContext context, CancellationToken cancellationToken);
}
