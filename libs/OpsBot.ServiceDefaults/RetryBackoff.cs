using Polly;
using Polly.Retry;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// OpsBot's one backoff policy: the n-th retry waits <see cref="First"/> × 2^(n−1), capped at <see cref="Max"/>,
/// jittered by ±<see cref="Jitter"/> (so replicas that lost the same broker do not come back in step) and kept
/// within [<see cref="First"/>, <see cref="Max"/>].
/// <list type="bullet">
/// <item>A loop that retries one operation runs it through <see cref="Pipeline{T}"/>: Polly counts the attempts, honours
/// cancellation, waits on the given <see cref="TimeProvider"/> and calls back before each wait (to log it);</item>
/// <item>a loop that must compute its waits itself (a reconnect loop that stays alive forever and logs each attempt)
/// asks <see cref="Delay"/>, or keeps a <see cref="BackoffSequence"/>.</item>
/// </list>
/// </summary>
public sealed record RetryBackoff
{
    /// <summary>Each wait is the exponential delay × a factor drawn uniformly from [1 − Jitter, 1 + Jitter].</summary>
    public const double Jitter = 0.2;

    private const int MaxExponent = 30;

    public RetryBackoff(TimeSpan first, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(first, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, first);
        First = first;
        Max = max;
    }

    /// <summary>The wait before the first retry (before jitter; jitter never takes a wait below it).</summary>
    public TimeSpan First { get; }

    /// <summary>The cap: no wait is longer.</summary>
    public TimeSpan Max { get; }

    /// <summary>The wait before retry number <paramref name="retry"/> (1 = the first retry).</summary>
    public TimeSpan Delay(int retry, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var exponential = Math.Min(Max.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, MaxExponent)));
        var jittered = exponential * (1 + Jitter * (2 * (random ?? Random.Shared).NextDouble() - 1));
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, First.TotalMilliseconds, Max.TotalMilliseconds));
    }

    /// <summary>
    /// A Polly retry pipeline waiting <see cref="Delay"/> between attempts.
    /// </summary>
    /// <param name="retryWhen">whether an attempt's outcome (result or exception) is retried.</param>
    /// <param name="onRetry">called before each wait (its <c>RetryDelay</c> is the wait, <c>AttemptNumber</c> 0 the first retry).</param>
    /// <param name="maxRetries">retries after the first attempt; by default until it succeeds or is cancelled.</param>
    /// <param name="delayOverride">a wait the outcome itself asks for (e.g. Retry-After), used instead of the backoff.</param>
    /// <param name="time">the clock the waits run on.</param>
    public ResiliencePipeline<T> Pipeline<T>(
        Func<Outcome<T>, bool> retryWhen,
        Func<OnRetryArguments<T>, ValueTask>? onRetry = null,
        int maxRetries = int.MaxValue,
        Func<Outcome<T>, TimeSpan?>? delayOverride = null,
        TimeProvider? time = null) =>
        new ResiliencePipelineBuilder<T> { TimeProvider = time ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = maxRetries,
                ShouldHandle = args => ValueTask.FromResult(retryWhen(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(delayOverride?.Invoke(args.Outcome) ?? Delay(args.AttemptNumber + 1)),
                OnRetry = onRetry,
            })
            .Build();
}

/// <summary>The state of a loop that backs off by itself: consecutive failures, and the wait the next one costs.</summary>
public sealed class BackoffSequence(RetryBackoff policy, Random? random = null)
{
    /// <summary>Failures since the last <see cref="Reset"/>.</summary>
    public int Failures { get; private set; }

    /// <summary>Counts one more failure and returns the wait before trying again.</summary>
    public TimeSpan Next() => policy.Delay(++Failures, random);

    /// <summary>After a success: the next failure waits <see cref="RetryBackoff.First"/> again.</summary>
    public void Reset() => Failures = 0;
}
