using RabbitMQ.Client;

namespace OpsBot.Redrive;

/// <summary>
/// Moves the messages of <c>X_error</c> (or a wait queue <c>X_delay_&lt;n&gt;</c>) back to the endpoint's exchange <c>X</c>
/// (MassTransit names an endpoint's exchange like its queue and binds the two), one at a time: get without
/// acknowledging, publish the same body and properties persistent, mandatory and with publisher confirms, and only
/// after the broker confirmed it acknowledge the original. Interrupted at any point, nothing is lost: an
/// unacknowledged message goes back to its queue when the connection closes; at worst the one message in flight
/// is in both queues (the notifier's dedup suppresses the second within <c>ALERT_DEDUP_TTL</c>).
/// <para>
/// At most the number of messages the queue held at the start is moved, so a message that fails again and comes
/// back meanwhile is not moved twice in one run. <c>MT-Redelivery-Count</c> is removed: a re-driven message gets all
/// its delayed-redelivery rounds again. The fault headers stay, for the record.
/// </para>
/// </summary>
public sealed class ErrorQueueRedriver(IConnection connection, TextWriter output)
{
    public const string RedeliveryCountHeader = "MT-Redelivery-Count";

    /// <summary>The endpoint queue (= exchange) a parked queue belongs to, or null when the name is neither <c>X_error</c> nor <c>X_delay_&lt;n&gt;</c>.</summary>
    public static string? TargetOf(string queue)
    {
        if (queue.EndsWith("_error", StringComparison.Ordinal) && queue.Length > "_error".Length) return queue[..^"_error".Length];
        var delay = queue.LastIndexOf("_delay_", StringComparison.Ordinal);
        if (delay > 0 && int.TryParse(queue.AsSpan(delay + "_delay_".Length), out var n) && n > 0) return queue[..delay];
        return null;
    }

    public async Task<int> RedriveAsync(string queue, CancellationToken cancellationToken)
    {
        var target = TargetOf(queue) ?? throw new ArgumentException($"'{queue}' is neither an error queue (X_error) nor a wait queue (X_delay_<n>).", nameof(queue));
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        await using var channel = await connection.CreateChannelAsync(options, cancellationToken);
        var waiting = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        await channel.ExchangeDeclarePassiveAsync(target, cancellationToken);
        var moved = 0;
        while (moved < waiting && !cancellationToken.IsCancellationRequested)
        {
            var message = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
            if (message is null) break;
            try
            {
                var properties = new BasicProperties(message.BasicProperties) { Persistent = true };
                if (properties.Headers is { } headers)
                    properties.Headers = headers.Where(h => h.Key != RedeliveryCountHeader).ToDictionary(h => h.Key, h => h.Value);
                // Mandatory + confirms: throws when the broker nacks or cannot route it (then the original is given back).
                await channel.BasicPublishAsync(target, "", mandatory: true, properties, message.Body, CancellationToken.None);
            }
            catch
            {
                await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
                throw;
            }
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, CancellationToken.None);
            moved++;
        }
        output.WriteLine($"Moved {moved} message(s) from {queue} to exchange {target}; {waiting - moved} of the {waiting} found at the start were not moved.");
        return moved;
    }
}
