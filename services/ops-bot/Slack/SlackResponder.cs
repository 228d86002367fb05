using System.Text.Json.Nodes;
using OpsBot.ServiceDefaults;
using OpsBot.Slack;
using Polly;

namespace OpsBot.Bot.Slack;

/// <summary>
/// Answers after the acknowledgement: through the <c>response_url</c> when there is one (a command's or an
/// action's; valid 30 minutes, 5 uses), else <c>chat.update</c> on the message. Retries a failed post twice
/// (a Polly retry with the shared <see cref="RetryBackoff"/>: 500 ms, then 1 s, jittered) when it failed for a
/// reason that can pass (Transient or RateLimited, as <see cref="SlackWebApi"/> classifies it), waiting Retry-After
/// instead when Slack gave one (as seconds or as a date).
/// Never logs the response_url: it is a credential.
/// </summary>
public sealed class SlackResponder
{
    public const int Attempts = 3;
    private static readonly RetryBackoff Backoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2));

    private readonly SlackWebApi _slack;
    private readonly ILogger<SlackResponder> _logger;
    private readonly ResiliencePipeline<bool> _retry;

    public SlackResponder(SlackWebApi slack, ILogger<SlackResponder> logger)
    {
        _slack = slack;
        _logger = logger;
        _retry = Backoff.Pipeline<bool>(
            retryWhen: outcome => outcome.Exception is SlackApiException { Kind: SlackErrorKind.Transient or SlackErrorKind.RateLimited },
            onRetry: args =>
            {
                Failed((SlackApiException)args.Outcome.Exception!, args.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            },
            maxRetries: Attempts - 1,
            delayOverride: outcome => (outcome.Exception as SlackApiException)?.RetryAfter);
    }

    public async Task<bool> RespondAsync(Uri? responseUrl, JsonObject message, CancellationToken cancellationToken, string? channel = null, string? ts = null)
    {
        if (responseUrl is null && (channel is null || ts is null))
        {
            _logger.LogWarning("No response_url and no message to update; answer dropped");
            return false;
        }
        try
        {
            return await _retry.ExecuteAsync(async token =>
            {
                if (responseUrl is not null) await _slack.RespondAsync(responseUrl, message, token);
                else await _slack.UpdateMessageAsync(channel!, ts!, message, token);
                return true;
            }, cancellationToken);
        }
        catch (SlackApiException e)
        {
            Failed(e, Attempts);
            return false;
        }
    }

    private void Failed(SlackApiException e, int attempt) =>
        _logger.LogWarning("Answering in Slack failed ({Error}), attempt {Attempt} of {Attempts}", e.Error, attempt, Attempts);
}
