using System.Text.Json.Nodes;
using OpsBot.Slack;

namespace OpsBot.Notifier.Slack;

/// <summary>
/// <see cref="ISlackChat"/> over the shared <see cref="SlackWebApi"/> (libs/OpsBot.Slack): <c>chat.postMessage</c>,
/// a thread reply, <c>chat.update</c>. Its <see cref="SlackApiException"/> becomes a <see cref="Pipeline.DeliveryException"/>
/// of the same kind, so the dispatcher's retry treats an edit or a reply like any delivery.
/// </summary>
public sealed class SlackChat(SlackWebApi slack) : ISlackChat
{
    public Task<string?> PostAsync(string channel, JsonObject message, CancellationToken cancellationToken) =>
        Call(() => slack.PostMessageAsync(channel, message, cancellationToken));

    public Task<string?> ReplyAsync(string channel, string threadTs, JsonObject message, CancellationToken cancellationToken) =>
        Call(() => slack.PostReplyAsync(channel, threadTs, message, broadcast: false, cancellationToken));

    public Task<string?> UpdateAsync(string channel, string ts, JsonObject message, CancellationToken cancellationToken)
    {
        // chat.update takes no unfurl options.
        message.Remove("unfurl_links");
        message.Remove("unfurl_media");
        return Call(() => slack.UpdateMessageAsync(channel, ts, message, cancellationToken));
    }

    private static async Task<string?> Call(Func<Task<SlackMessageRef>> call)
    {
        try
        {
            return (await call()).Ts;
        }
        catch (SlackApiException e)
        {
            throw SlackSender.ToDeliveryException(e);
        }
    }
}
