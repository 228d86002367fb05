using Polly;
using Polly.Retry;

namespace OpsBot.Notifier.Pipeline;

/// <summary>What one message's delivery cost: attempts (rate-limit waits excluded) and rate limits drawn.</summary>
public sealed class DeliveryAttempts
{
    public int Calls;
    public int RateLimited;
    public int Attempts => Math.Max(1, Calls - RateLimited);
}

/// <summary>
/// Deliver with retry, as one Polly pipeline of two retry strategies:
/// <list type="bullet">
/// <item>rate limits (HTTP 429, <c>ratelimited</c>, Teams' "HTTP error 429"): wait exactly Retry-After and try again, as often as
/// needed within <see cref="DeliveryPolicy.RateLimitMaxWait"/>; these waits are not attempts;</item>
/// <item>transient errors (5xx, timeouts, dropped connections): <see cref="DeliveryPolicy.Attempts"/> attempts in all, with
/// exponential delays from <see cref="DeliveryPolicy.FirstRetryDelay"/> (jittered).</item>
/// </list>
/// Auth and permanent errors are handled by neither and fail at once.
/// </summary>
public static class DeliveryRetry
{
    private static readonly ResiliencePropertyKey<DateTimeOffset> Started = new("opsbot.started");
    private static readonly ResiliencePropertyKey<string> ChannelName = new("opsbot.channel");
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    public static ResiliencePipeline Build(DeliveryPolicy policy, TimeProvider time, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time, Name = "notifier-delivery" };
        if (policy.Attempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                Name = "transient",
                ShouldHandle = new PredicateBuilder().Handle<DeliveryException>(e => e.Kind == DeliveryErrorKind.Transient),
                MaxRetryAttempts = policy.Attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = policy.FirstRetryDelay,
                OnRetry = args =>
                {
                    logger.LogWarning("{Channel} delivery failed ({Error}); attempt {Next} of {Attempts} in {Delay} ms",
                        args.Context.Properties.GetValue(ChannelName, "?"), (args.Outcome.Exception as DeliveryException)?.Error,
                        args.AttemptNumber + 2, policy.Attempts, (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }
        builder.AddRetry(new RetryStrategyOptions
        {
            Name = "rate-limit",
            MaxRetryAttempts = int.MaxValue, // bounded by time (RateLimitMaxWait), not by count
            ShouldHandle = args =>
            {
                if (args.Outcome.Exception is not DeliveryException { Kind: DeliveryErrorKind.RateLimited } e) return ValueTask.FromResult(false);
                var waited = time.GetUtcNow() - args.Context.Properties.GetValue(Started, time.GetUtcNow());
                return ValueTask.FromResult(waited + (e.RetryAfter ?? DefaultRetryAfter) <= policy.RateLimitMaxWait);
            },
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>((args.Outcome.Exception as DeliveryException)?.RetryAfter ?? DefaultRetryAfter),
            OnRetry = args =>
            {
                logger.LogInformation("{Channel} rate limit: waiting {Delay} ms (Retry-After) before trying again; not counted as an attempt",
                    args.Context.Properties.GetValue(ChannelName, "?"), (int)args.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            },
        });
        return builder.Build();
    }

    /// <summary>Runs <paramref name="send"/> through <paramref name="pipeline"/>, counting attempts into <paramref name="attempts"/>.</summary>
    public static async Task<T> ExecuteAsync<T>(ResiliencePipeline pipeline, string channel, TimeProvider time, DeliveryAttempts attempts,
        Action onRateLimited, Func<CancellationToken, Task<T>> send, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Started, time.GetUtcNow());
        context.Properties.Set(ChannelName, channel);
        try
        {
            return await pipeline.ExecuteAsync(async ctx =>
            {
                Interlocked.Increment(ref attempts.Calls);
                try
                {
                    return await send(ctx.CancellationToken);
                }
                catch (DeliveryException e) when (e.Kind == DeliveryErrorKind.RateLimited)
                {
                    Interlocked.Increment(ref attempts.RateLimited);
                    onRateLimited();
                    throw;
                }
            }, context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
