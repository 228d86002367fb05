using System.Diagnostics;
using System.Threading.Channels;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;
using Polly;

namespace OpsBot.Notifier.Pipeline;

/// <summary>How an alert was delivered.</summary>
public sealed record DeliveryReceipt(string? MessageRef, int Attempts, int FoldedWith, DateTimeOffset DeliveredAt);

/// <summary>
/// The final failure of an alert's delivery after the retry stage gave up. It is a
/// <see cref="NonRetryableException"/>: the bus does not retry it again, the message goes to the endpoint's
/// <c>_error</c> queue. The message never holds a token or a webhook URL.
/// </summary>
public sealed class AlertDeliveryException(DeliveryChannel channel, DeliveryException cause, int attempts)
    : NonRetryableException($"{channel} delivery failed after {attempts} attempt(s): {cause.Error} ({cause.Reason})", cause)
{
    public DeliveryException Cause { get; } = cause;
    public int Attempts { get; } = attempts;
}

/// <summary>
/// Group and deliver, for one destination (a Slack channel, the Teams webhook): one message in flight at a
/// time, paced to the channel's rate (the next message leaves one interval after the previous one was
/// answered, so steady traffic never draws a 429), and storm folding: alerts that arrive while the channel
/// is paced wait for the next slot and leave together as one digest message. Each caller's task completes
/// when the message carrying its alert was accepted (or finally failed), so the consumer acknowledges the
/// broker only after delivery. Retries run inside the slot (<see cref="DeliveryRetry"/>). With several replicas the
/// slot is also taken in Redis (<see cref="SharedChannelPace"/>), so together they keep the channel's pace.
/// </summary>
public sealed class ChannelDispatcher : IAsyncDisposable
{
    private static readonly TimeSpan PacingMargin = TimeSpan.FromMilliseconds(20);
    private readonly IAlertSender _sender;
    private readonly DeliveryPolicy _policy;
    private readonly TimeProvider _time;
    private readonly NotifierMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly TimeSpan _interval;
    private readonly object _gate = new();
    private readonly List<Pending> _pending = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;

    /// <summary>An alert to post (foldable into a digest), or one lifecycle call (<see cref="Operation"/>: an edit, a thread reply, a follow-up) that goes alone.</summary>
    private sealed record Pending(AlertRaised? Alert, DateTimeOffset EnqueuedAt, TaskCompletionSource<DeliveryReceipt> Done, ActivityContext Trace)
    {
        public Func<CancellationToken, Task<string?>>? Operation { get; init; }
        public string Kind { get; init; } = "single";
    }

    private readonly SharedChannelPace? _sharedPace;

    public ChannelDispatcher(IAlertSender sender, DeliveryPolicy policy, TimeProvider time, NotifierMetrics metrics, ILogger logger, SharedChannelPace? sharedPace = null)
    {
        _sender = sender;
        _sharedPace = sharedPace;
        _policy = policy;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _retry = DeliveryRetry.Build(policy, time, logger);
        _interval = IntervalOf(sender);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Where this dispatcher's messages go (a Slack channel id, or "teams").</summary>
    public string Destination => _sender.Destination;

    /// <summary>From one answer to the next message: the channel's pace, a few milliseconds over (timers round to milliseconds and may fire a hair early).</summary>
    public static TimeSpan IntervalOf(IAlertSender sender) => TimeSpan.FromSeconds(1 / sender.MessagesPerSecond) + PacingMargin;

    /// <summary>
    /// Delivers <paramref name="alert"/> alone or folded with others; completes when the channel accepted it.
    /// Throws <see cref="AlertDeliveryException"/> when delivery finally failed. Cancelling before the alert
    /// left takes it out of the queue.
    /// </summary>
    public Task<DeliveryReceipt> DeliverAsync(AlertRaised alert, CancellationToken cancellationToken) =>
        Enqueue(new Pending(alert, _time.GetUtcNow(), new TaskCompletionSource<DeliveryReceipt>(TaskCreationOptions.RunContinuationsAsynchronously), DeliveryTracing.Current()), cancellationToken);

    /// <summary>
    /// Runs one lifecycle call (<paramref name="kind"/>: <c>update</c>, <c>reply</c>, <c>note</c>) in the channel's next slot,
    /// alone and paced like any message, with the same retry; throws <see cref="AlertDeliveryException"/> when it finally fails.
    /// </summary>
    public Task<DeliveryReceipt> RunAsync(string kind, Func<CancellationToken, Task<string?>> operation, CancellationToken cancellationToken) =>
        Enqueue(new Pending(null, _time.GetUtcNow(), new TaskCompletionSource<DeliveryReceipt>(TaskCreationOptions.RunContinuationsAsynchronously), DeliveryTracing.Current())
        {
            Operation = operation,
            Kind = kind,
        }, cancellationToken);

    private Task<DeliveryReceipt> Enqueue(Pending pending, CancellationToken cancellationToken)
    {
        lock (_gate) _pending.Add(pending);
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                bool removed;
                lock (_gate) removed = _pending.Remove(pending);
                if (removed) pending.Done.TrySetCanceled(cancellationToken);
            });
            pending.Done.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        _wake.Writer.TryWrite(true);
        return pending.Done.Task;
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                bool any;
                lock (_gate) any = _pending.Count > 0;
                if (!any)
                {
                    await _wake.Reader.WaitToReadAsync(stop);
                    _wake.Reader.TryRead(out _);
                    continue;
                }
                var wait = _nextSlot - _time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, stop);
                if (_sharedPace is null)
                {
                    await SendNextAsync(stop);
                    continue;
                }
                var turn = await _sharedPace.TakeTurnAsync(stop); // other replicas keep the same pace
                try { await SendNextAsync(stop); }
                finally { await _sharedPace.EndTurnAsync(turn); }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "{Channel} dispatcher failed unexpectedly; continuing", _sender.Channel);
            }
        }
        List<Pending> left;
        lock (_gate) { left = [.. _pending]; _pending.Clear(); }
        foreach (var p in left) p.Done.TrySetCanceled(stop);
    }

    private async Task SendNextAsync(CancellationToken stop)
    {
        List<Pending> batch;
        lock (_gate)
        {
            if (_pending.Count == 0) return;
            batch = _pending[0].Operation is not null ? [_pending[0]] : _pending.Where(p => p.Alert is not null).Take(_policy.DigestMaxAlerts).ToList();
        }
        if (batch[0].Operation is { } operation)
        {
            await RunOperationAsync(batch[0], operation, stop);
            return;
        }

        var now = _time.GetUtcNow();
        PreparedMessage message;
        try
        {
            message = _sender.Prepare(batch.Select(p => p.Alert!).ToList(), now - batch.Min(p => p.EnqueuedAt));
        }
        catch (Exception e)
        {
            // A formatting bug must not wedge the channel: fail these alerts (the bus retries them, then _error).
            lock (_gate) foreach (var p in batch) _pending.Remove(p);
            foreach (var p in batch) p.Done.TrySetException(e);
            return;
        }
        var carried = batch.Take(message.Carried).ToList();
        lock (_gate) foreach (var p in carried) _pending.Remove(p); // in flight now: cancellation no longer takes them out

        var attempts = new DeliveryAttempts();
        using var activity = DeliveryTracing.StartDeliver(_sender.Channel, carried.Select(p => (p.Alert!, p.Trace)).ToList());
        try
        {
            var messageRef = await DeliveryRetry.ExecuteAsync(_retry, _sender.Channel.ToString(), _time, attempts,
                () => _metrics.RateLimited(_sender.Channel), ct => _sender.SendAsync(message, ct), stop);
            _metrics.Message(_sender.Channel, message.IsDigest);
            var receipt = new DeliveryReceipt(messageRef, attempts.Attempts, carried.Count, _time.GetUtcNow());
            if (message.IsDigest)
                _logger.LogInformation("{Channel} digest of {Count} alerts delivered to {Destination} (attempts {Attempts}, rate limits waited {RateLimited})",
                    _sender.Channel, carried.Count, _sender.Destination, attempts.Attempts, attempts.RateLimited);
            foreach (var p in carried) p.Done.TrySetResult(receipt);
        }
        catch (DeliveryException e)
        {
            var failure = new AlertDeliveryException(_sender.Channel, e, attempts.Attempts);
            activity.Failed(NotifierMetrics.ReasonLabel(e.Reason));
            foreach (var p in carried) p.Done.TrySetException(failure);
        }
        catch (Exception e)
        {
            foreach (var p in carried)
            {
                if (e is OperationCanceledException) p.Done.TrySetCanceled(stop);
                else p.Done.TrySetException(e);
            }
            if (e is OperationCanceledException) throw;
        }
        finally
        {
            _nextSlot = _time.GetUtcNow() + _interval;
        }
    }

    private async Task RunOperationAsync(Pending pending, Func<CancellationToken, Task<string?>> operation, CancellationToken stop)
    {
        lock (_gate) _pending.Remove(pending);
        var attempts = new DeliveryAttempts();
        try
        {
            var messageRef = await DeliveryRetry.ExecuteAsync(_retry, _sender.Channel.ToString(), _time, attempts,
                () => _metrics.RateLimited(_sender.Channel), operation, stop);
            _metrics.Message(_sender.Channel, pending.Kind);
            pending.Done.TrySetResult(new DeliveryReceipt(messageRef, attempts.Attempts, 1, _time.GetUtcNow()));
        }
        catch (DeliveryException e)
        {
            pending.Done.TrySetException(new AlertDeliveryException(_sender.Channel, e, attempts.Attempts));
        }
        catch (Exception e)
        {
            if (e is OperationCanceledException) { pending.Done.TrySetCanceled(stop); throw; }
            pending.Done.TrySetException(e);
        }
        finally
        {
            _nextSlot = _time.GetUtcNow() + _interval;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
