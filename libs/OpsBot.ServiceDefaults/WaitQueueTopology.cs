using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// Declares an endpoint's wait topology with RabbitMQ.Client on a short-lived connection of its own (a refused
/// declaration never closes a consumer's channel): for each delay n, a durable fanout exchange and a durable queue
/// <c>&lt;queue&gt;_delay_&lt;n&gt;</c> bound to it, the queue with <c>x-message-ttl</c> = delay n and
/// <c>x-dead-letter-exchange</c> = the endpoint's exchange (quorum queues, with at-least-once dead-lettering, when
/// <c>RABBITMQ_QUORUM_QUEUES=true</c>). Idempotent: declaring what exists changes nothing. A queue that already exists
/// with another TTL (the delays were changed) is kept as it is, with a warning: a queue's arguments cannot change.
/// Once per endpoint and process after a success; a failure (broker down) is retried on the next call.
/// </summary>
internal sealed class WaitQueueTopology(RabbitMqAddress broker, bool quorumQueues, ILogger logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _declared = new(StringComparer.Ordinal);

    public async Task EnsureDeclaredAsync(DelayedRedeliveryEndpoint endpoint, CancellationToken cancellationToken)
    {
        var lazy = _declared.GetOrAdd(endpoint.Queue, _ => new Lazy<Task>(() => DeclareAsync(endpoint)));
        try
        {
            await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _declared.TryRemove(new KeyValuePair<string, Lazy<Task>>(endpoint.Queue, lazy));
            throw;
        }
    }

    private async Task DeclareAsync(DelayedRedeliveryEndpoint endpoint)
    {
        await using var connection = await broker.ConnectAsync("opsbot-delayed-redelivery-topology");
        var declared = new List<string>();
        for (var i = 0; i < endpoint.Delays.Count; i++)
        {
            var name = endpoint.WaitQueue(i + 1);
            var ttl = (long)Math.Ceiling(endpoint.Delays[i].TotalMilliseconds);
            var arguments = new Dictionary<string, object?>
            {
                ["x-message-ttl"] = ttl,
                ["x-dead-letter-exchange"] = endpoint.Queue,
            };
            if (quorumQueues)
            {
                arguments["x-queue-type"] = "quorum";
                arguments["x-dead-letter-strategy"] = "at-least-once";
                arguments["x-overflow"] = "reject-publish";
            }

            var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false);
                try
                {
                    await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments);
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406)
                {
                    // Exists with other arguments: keep it (it still delays, by its own TTL, and dead-letters back).
                    await channel.DisposeAsync();
                    channel = await connection.CreateChannelAsync();
                    await channel.QueueDeclarePassiveAsync(name);
                    logger.LogWarning("Wait queue {WaitQueue} exists with other arguments than x-message-ttl={Ttl} ms, x-dead-letter-exchange={Exchange} ({Reason}); " +
                        "it is kept as it is. To change its delay, let it drain, delete it (rabbitmqctl delete_queue {WaitQueue}) and restart the service",
                        name, ttl, endpoint.Queue, e.ShutdownReason?.ReplyText, name);
                }
                await channel.QueueBindAsync(name, name, routingKey: "");
            }
            finally
            {
                await channel.DisposeAsync();
            }
            declared.Add($"{name} ({endpoint.Delays[i].TotalSeconds:0.###} s)");
        }
        logger.LogInformation("Delayed redelivery on {Queue}: wait queues {WaitQueues} declared on {Broker}; each dead-letters back to exchange {Exchange}; after the last the message goes to {ErrorQueue}",
            endpoint.Queue, string.Join(", ", declared), broker.ToString(), endpoint.Queue, endpoint.ErrorQueue);
    }
}
