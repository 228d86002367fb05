using System.Text.Json.Nodes;

namespace OpsBot.Bot.Slack;

/// <summary>
/// Answers after the acknowledgement: through the <c>response_url</c> when there is one (a command's or an
/// action's; valid 30 minutes, 5 uses), else <c>chat.update</c> on the message. Retries a failed post twice,
/// honouring Retry-After. Never logs the response_url: it is a credential.
/// </summary>
public sealed class SlackResponder(SlackWebClient slack, ILogger<SlackResponder> logger)
{
    public const int Attempts = 3;

    public async Task<bool> RespondAsync(Uri? responseUrl, JsonObject message, CancellationToken cancellationToken, string? channel = null, string? ts = null)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                if (responseUrl is not null) await slack.RespondAsync(responseUrl, message, cancellationToken);
                else if (channel is not null && ts is not null) await slack.UpdateMessageAsync(channel, ts, message, cancellationToken);
                else
                {
                    logger.LogWarning("No response_url and no message to update; answer dropped");
                    return false;
                }
                return true;
            }
            catch (SlackCallException e)
            {
                logger.LogWarning("Answering in Slack failed ({Error}), attempt {Attempt} of {Attempts}", e.Error, attempt, Attempts);
                if (attempt == Attempts) return false;
                await Task.Delay(e.RetryAfter ?? TimeSpan.FromMilliseconds(500 * attempt), cancellationToken);
            }
        }
        return false;
    }
}
