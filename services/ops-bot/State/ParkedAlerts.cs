using System.Text;
using OpsBot.Bot.Commands;
using OpsBot.ServiceDefaults;
using RabbitMQ.Client;

namespace OpsBot.Bot.State;

/// <summary>
/// For <c>/ops status</c>: the alerts the notifier could not deliver yet, read from the broker of <c>RABBITMQ_URL</c>
/// (passive declares on a connection of its own, a fresh channel per queue): per channel queue
/// (<c>notifier-slack</c>, <c>notifier-teams</c>) how many wait in its <c>_delay_&lt;n&gt;</c> queues to be tried again and
/// how many are parked in its <c>_error</c> queue, with the re-drive command when some are.
/// <para>
/// The status answer must come inside Slack's acknowledgement, so it never waits on the broker once a reading exists:
/// the counts are read at start and again in the background when a status asks for counts older than
/// <see cref="Fresh"/> (the answer then shows the previous reading and its age; "not read yet" right after start). A broker that does not answer within
/// <see cref="Timeout"/> gives "unknown", never a failed command.
/// </para>
/// </summary>
public sealed class ParkedAlerts(RabbitMqAddress broker, TimeProvider time, ILogger<ParkedAlerts> logger) : IHostedService, IAsyncDisposable
{
    public static readonly IReadOnlyList<string> NotifierQueues = ["notifier-slack", "notifier-teams"];
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _refreshLock = new();
    private IConnection? _connection;
    private Task _refreshing = Task.CompletedTask;
    private volatile Reading? _last;

    private sealed record Reading(string Text, DateTimeOffset At);

    /// <summary>One status line per notifier queue that exists on the broker (each starting with "• ").</summary>
    public Task<string> DescribeAsync(CancellationToken cancellationToken) => Task.FromResult(Describe());

    private string Describe()
    {
        var last = _last;
        if (last is null || time.GetUtcNow() - last.At > Fresh) _ = Refresh(); // never waited on: the answer must stay fast
        if (last is null) return "• undelivered alerts: not read from the broker yet (try again in a moment)\n";
        var age = time.GetUtcNow() - last.At;
        return age > Fresh ? last.Text.TrimEnd('\n') + $" (read {Formats.Age(age)} ago)\n" : last.Text;
    }

    /// <summary>Reads the counts now (one reading at a time).</summary>
    public Task Refresh()
    {
        lock (_refreshLock)
        {
            if (_refreshing.IsCompleted) _refreshing = Task.Run(ReadAsync);
            return _refreshing;
        }
    }

    private async Task ReadAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        string text;
        try
        {
            var connection = await ConnectionAsync(timeout.Token);
            var parked = await Task.WhenAll(NotifierQueues.Select(q => BrokerQueues.ParkedAsync(connection, q, timeout.Token)));
            var lines = new StringBuilder();
            foreach (var p in parked) if (p is not null) Append(lines, p);
            text = lines.Length == 0 ? "• undelivered alerts: none (no notifier queue on the broker)\n" : lines.ToString();
        }
        catch (Exception e)
        {
            logger.LogDebug("Parked alerts not read from the broker: {Error}", e.GetType().Name);
            await DropConnectionAsync();
            text = $"• undelivered alerts: unknown (broker not reachable: {e.GetType().Name})\n";
        }
        _last = new Reading(text, time.GetUtcNow());
    }

    /// <summary>One connection of its own, reused between readings.</summary>
    private async Task<IConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true } open) return open;
            if (_connection is not null) await _connection.DisposeAsync();
            _connection = null;
            return _connection = await BrokerQueues.Factory(broker, "opsbot-ops-status").CreateConnectionAsync(cancellationToken);
        }
        finally { _gate.Release(); }
    }

    private async Task DropConnectionAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_connection is not null) await _connection.DisposeAsync();
        }
        catch (Exception) { }
        finally
        {
            _connection = null;
            _gate.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Refresh();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => DropConnectionAsync();

    public async ValueTask DisposeAsync() => await DropConnectionAsync();

    private static void Append(StringBuilder text, ParkedMessages parked)
    {
        text.Append("• `").Append(parked.Queue).Append("`: *").Append(parked.WaitingTotal).Append("* waiting to be retried");
        if (parked.Waiting.Count > 0)
            text.Append(" (").Append(string.Join(", ", parked.Waiting.Select(w => $"`{w.Queue}` {w.Messages}"))).Append(')');
        else text.Append(" (delayed redelivery off)");
        text.Append(", *").Append(parked.Error).Append("* parked in `").Append(parked.ErrorQueue).Append('`');
        if (parked.Error > 0) text.Append(" — re-drive after fixing the cause: `scripts/redrive ").Append(parked.ErrorQueue).Append('`');
        text.Append('\n');
    }
}
