using System.Text.Json.Nodes;

namespace OpsBot.Notifier.Slack;

/// <summary>The three Slack chat calls the incident lifecycle needs; each returns the message's <c>ts</c>.</summary>
public interface ISlackChat
{
    Task<string?> PostAsync(string channel, JsonObject message, CancellationToken cancellationToken);
    Task<string?> ReplyAsync(string channel, string threadTs, JsonObject message, CancellationToken cancellationToken);
    Task<string?> UpdateAsync(string channel, string ts, JsonObject message, CancellationToken cancellationToken);
}
