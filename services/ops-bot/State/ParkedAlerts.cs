using System.Text;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.State;

/// <summary>
/// For <c>/ops status</c>: the alerts the notifier could not deliver yet, read from the broker of <c>RABBITMQ_URL</c>
/// (passive declares on a short-lived connection, a fresh channel per queue): per channel queue
/// (<c>notifier-slack</c>, <c>notifier-teams</c>) how many wait in its <c>_delay_&lt;n&gt;</c> queues to be tried again and
/// how many are parked in its <c>_error</c> queue, with the re-drive command when some are.
/// A broker that does not answer within <see cref="Timeout"/> gives "unknown", never a failed command.
/// </summary>
public sealed class ParkedAlerts(RabbitMqAddress broker, ILogger<ParkedAlerts> logger)
{
    public static readonly IReadOnlyList<string> NotifierQueues = ["notifier-slack", "notifier-teams"];
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>One status line per notifier queue that exists on the broker (each starting with "• ").</summary>
    public async Task<string> DescribeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await BrokerQueues.Factory(broker, "opsbot-ops-status").CreateConnectionAsync(timeout.Token);
            var text = new StringBuilder();
            foreach (var queue in NotifierQueues)
                if (await BrokerQueues.ParkedAsync(connection, queue, timeout.Token) is { } parked) Append(text, parked);
            return text.Length == 0 ? "• undelivered alerts: none (no notifier queue on the broker)\n" : text.ToString();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug("Parked alerts not read from the broker: {Error}", e.GetType().Name);
            return $"• undelivered alerts: unknown (broker not reachable: {e.GetType().Name})\n";
        }
    }

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
