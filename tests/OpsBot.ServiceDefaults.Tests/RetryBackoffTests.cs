using Microsoft.Extensions.Time.Testing;
using OpsBot.ServiceDefaults;
using Polly;

namespace OpsBot.ServiceDefaults.Tests;

/// <summary>
/// Issue 15 item 4: the one backoff policy that replaced six hand-written loops (market-feed's reconnect and bus
/// publisher, ops-bot's Socket Mode reconnect and Slack answers, pnl-ingest's publisher and Redis subscription).
/// Its waits double from the first, stop at the cap, are jittered ±20 % without leaving [first, cap], and its
/// Polly pipeline retries until it succeeds, gives up after its retries, and stops when cancelled.
/// </summary>
public sealed class RetryBackoffTests
{
    private static readonly RetryBackoff Policy = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    [Fact]
    public void Waits_double_from_the_first_and_stop_at_the_cap()
    {
        var middle = new FixedRandom(0.5); // the jitter factor's midpoint: exactly 1
        var waits = Enumerable.Range(1, 7).Select(n => Policy.Delay(n, middle).TotalMilliseconds).ToArray();
        Assert.Equal(new double[] { 100, 200, 400, 800, 1000, 1000, 1000 }, waits);
        Assert.Equal(1000, Policy.Delay(int.MaxValue, middle).TotalMilliseconds);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.999999)]
    public void Jitter_moves_a_wait_by_at_most_20_percent_and_never_past_first_or_cap(double draw)
    {
        var random = new FixedRandom(draw);
        Assert.Equal(draw < 0.5 ? 100 : 120, Policy.Delay(1, random).TotalMilliseconds, 0.01);  // 80 would be below the first wait
        Assert.Equal(draw < 0.5 ? 320 : 480, Policy.Delay(3, random).TotalMilliseconds, 0.01); // 400 ± 20 %
        Assert.Equal(draw < 0.5 ? 800 : 1000, Policy.Delay(10, random).TotalMilliseconds, 0.01); // 1200 would pass the cap
    }

    [Fact]
    public void Jittered_waits_vary_and_stay_within_bounds()
    {
        var random = new Random(7);
        var waits = Enumerable.Range(0, 200).Select(_ => Policy.Delay(3, random).TotalMilliseconds).ToArray();
        Assert.All(waits, w => Assert.InRange(w, 320, 480));
        Assert.True(waits.Distinct().Count() > 100, "jitter spreads the waits");
    }

    [Fact]
    public void A_sequence_counts_failures_and_starts_over_after_a_reset()
    {
        var sequence = new BackoffSequence(Policy, new FixedRandom(0.5));
        Assert.Equal(new double[] { 100, 200, 400 }, new[] { sequence.Next(), sequence.Next(), sequence.Next() }.Select(d => d.TotalMilliseconds));
        Assert.Equal(3, sequence.Failures);
        sequence.Reset();
        Assert.Equal(100, sequence.Next().TotalMilliseconds);
    }

    [Fact]
    public void Bounds_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy.Delay(0));
    }

    [Fact]
    public async Task The_pipeline_retries_until_success_with_the_policys_waits()
    {
        var time = new FakeTimeProvider();
        var waits = new List<TimeSpan>();
        var pipeline = Policy.Pipeline<int>(o => o.Exception is TimeoutException, args => { waits.Add(args.RetryDelay); return default; }, time: time);
        var calls = 0;
        var run = pipeline.ExecuteAsync(_ => ++calls < 6 ? throw new TimeoutException() : ValueTask.FromResult(calls)).AsTask();
        await AdvanceUntilAsync(time, run);

        Assert.Equal(6, await run);
        Assert.Equal(5, waits.Count);
        for (var i = 0; i < waits.Count; i++)
        {
            var expected = Math.Min(1000, 100 * Math.Pow(2, i));
            Assert.InRange(waits[i].TotalMilliseconds, Math.Max(100, expected * 0.8), Math.Min(1000, expected * 1.2));
        }
    }

    [Fact]
    public async Task The_pipeline_gives_up_after_its_retries_with_the_last_failure_and_honours_a_wait_the_failure_asks_for()
    {
        var waits = new List<TimeSpan>();
        var pipeline = Policy.Pipeline<int>(o => o.Exception is TimeoutException, args => { waits.Add(args.RetryDelay); return default; },
            maxRetries: 2, delayOverride: _ => TimeSpan.FromMilliseconds(1));
        var calls = 0;
        var e = await Assert.ThrowsAsync<TimeoutException>(async () => await pipeline.ExecuteAsync<int>(_ => throw new TimeoutException($"call {++calls}")));
        Assert.Equal("call 3", e.Message);
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1) }, waits);
    }

    [Fact]
    public async Task The_pipeline_does_not_retry_what_it_is_not_told_to()
    {
        var pipeline = Policy.Pipeline<int>(o => o.Exception is TimeoutException);
        var calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await pipeline.ExecuteAsync<int>(_ => { calls++; throw new InvalidOperationException(); }));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Cancellation_stops_a_pipeline_that_would_retry_forever()
    {
        var time = new FakeTimeProvider();
        using var stop = new CancellationTokenSource();
        var calls = 0;
        var retried = new SemaphoreSlim(0);
        var pipeline = Policy.Pipeline<int>(o => o.Exception is TimeoutException, _ => { retried.Release(); return default; }, time: time);
        var run = pipeline.ExecuteAsync<int>(_ => { calls++; throw new TimeoutException(); }, stop.Token).AsTask();

        Assert.True(await retried.WaitAsync(TimeSpan.FromSeconds(30))); // waiting before its second attempt
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, calls);
    }

    /// <summary>Moves the fake clock on until <paramref name="run"/> ends (each wait of the pipeline is a timer on it).</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Task run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!run.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(run, Task.Delay(10));
        }
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
