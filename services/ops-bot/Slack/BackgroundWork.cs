using System.Collections.Concurrent;

namespace OpsBot.Bot.Slack;

/// <summary>
/// Work that outlives Slack's 3-second acknowledgement (slow commands, button actions): each item runs on
/// its own task, so a slow one never holds up another; failures are logged; shutdown waits briefly for the rest.
/// </summary>
public sealed class BackgroundWork(IHostApplicationLifetime lifetime, ILogger<BackgroundWork> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public int Running => _running.Count;

    public Task Run(string what, Func<CancellationToken, Task> work) =>
        Run<bool>(what, async ct => { await work(ct); return true; });

    /// <summary>Starts <paramref name="work"/> on its own task; the returned task faults if the work does (and it is logged).</summary>
    public Task<T> Run<T>(string what, Func<CancellationToken, Task<T>> work)
    {
        var task = Task.Run(async () =>
        {
            try { return await work(lifetime.ApplicationStopping); }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested) { throw; }
            catch (Exception e)
            {
                logger.LogError(e, "Background work {What} failed", what);
                throw;
            }
        });
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
        return task;
    }

    public async ValueTask DisposeAsync()
    {
        var pending = _running.Keys.ToArray();
        if (pending.Length > 0) await Task.WhenAny(Task.WhenAll(pending), Task.Delay(TimeSpan.FromSeconds(5)));
    }
}
