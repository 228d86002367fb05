using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpsBot.Notifier.Tests.Unit;

/// <summary>The retry stage alone: rate limits wait Retry-After without using attempts; transient errors get three attempts; auth fails at once.</summary>
public sealed class DeliveryRetryTests
{
    private static readonly DeliveryPolicy Policy = new() { Attempts = 3, FirstRetryDelay = TimeSpan.FromMilliseconds(5), RateLimitMaxWait = TimeSpan.FromSeconds(5) };

    private static async Task<(DeliveryAttempts Attempts, Exception? Error)> Run(Func<int, DeliveryException?> answer, DeliveryPolicy? policy = null)
    {
        var pipeline = DeliveryRetry.Build(policy ?? Policy, TimeProvider.System, NullLogger.Instance);
        var attempts = new DeliveryAttempts();
        var call = 0;
        try
        {
            await DeliveryRetry.ExecuteAsync(pipeline, "test", TimeProvider.System, attempts, () => { }, _ =>
            {
                var e = answer(++call);
                return e is null ? Task.FromResult<string?>("ts") : throw e;
            }, CancellationToken.None);
            return (attempts, null);
        }
        catch (Exception e)
        {
            return (attempts, e);
        }
    }

    private static DeliveryException RateLimited() => new(DeliveryErrorKind.RateLimited, "ratelimited", TimeSpan.FromMilliseconds(10));

    [Fact]
    public async Task Twenty_rate_limits_then_success_is_one_attempt()
    {
        var (attempts, error) = await Run(n => n <= 20 ? RateLimited() : null);
        Assert.Null(error);
        Assert.Equal(21, attempts.Calls);
        Assert.Equal(20, attempts.RateLimited);
        Assert.Equal(1, attempts.Attempts);
    }

    [Fact]
    public async Task Rate_limits_mixed_with_5xx_count_only_the_5xx()
    {
        var (attempts, error) = await Run(n => n switch { 1 or 2 => RateLimited(), 3 => new DeliveryException(DeliveryErrorKind.Transient, "HTTP 503"), 4 => RateLimited(), _ => null });
        Assert.Null(error);
        Assert.Equal(2, attempts.Attempts);
    }

    [Fact]
    public async Task Three_transient_failures_give_up_as_server_error_or_timeout()
    {
        var (attempts, error) = await Run(_ => new DeliveryException(DeliveryErrorKind.Transient, "timeout", timedOut: true));
        Assert.Equal(3, attempts.Attempts);
        Assert.Equal(DeliveryFailureReason.Timeout, Assert.IsType<DeliveryException>(error).Reason);
        (attempts, error) = await Run(_ => new DeliveryException(DeliveryErrorKind.Transient, "HTTP 500"));
        Assert.Equal(DeliveryFailureReason.ServerError, Assert.IsType<DeliveryException>(error).Reason);
    }

    [Theory]
    [InlineData(DeliveryErrorKind.Auth, DeliveryFailureReason.Auth)]
    [InlineData(DeliveryErrorKind.Permanent, DeliveryFailureReason.ClientError)]
    public async Task Auth_and_permanent_errors_are_not_retried(DeliveryErrorKind kind, DeliveryFailureReason reason)
    {
        var (attempts, error) = await Run(_ => new DeliveryException(kind, "nope"));
        Assert.Equal(1, attempts.Calls);
        Assert.Equal(reason, Assert.IsType<DeliveryException>(error).Reason);
    }

    [Fact]
    public async Task Rate_limits_beyond_the_time_budget_fail_as_rate_limited()
    {
        var policy = Policy with { RateLimitMaxWait = TimeSpan.FromMilliseconds(100) };
        var (attempts, error) = await Run(_ => RateLimited(), policy);
        Assert.Equal(DeliveryFailureReason.RateLimited, Assert.IsType<DeliveryException>(error).Reason);
        Assert.InRange(attempts.Calls, 2, 15);
    }
}
