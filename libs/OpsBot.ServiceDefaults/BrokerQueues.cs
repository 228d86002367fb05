using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// Plain RabbitMQ.Client access to the broker of <c>RABBITMQ_URL</c>, for what MassTransit does not do: declaring wait
/// queues, reading queue depths for <c>/ops status</c>, re-driving an error queue (tools/OpsBot.Redrive).
/// </summary>
public static class BrokerQueues
{
    /// <summary><c>RABBITMQ_URL</c>'s default.</summary>
    public const string DefaultUrl = "amqp://guest:guest@localhost:5672/";

    /// <summary>The broker named by <c>RABBITMQ_URL</c> (default <see cref="DefaultUrl"/>).</summary>
    public static RabbitMqAddress Address(Settings settings) => RabbitMqAddress.Parse(settings.String(SettingNames.RabbitMqUrl, DefaultUrl));

    /// <summary>A connection factory for <paramref name="broker"/>: no automatic recovery (short-lived connections), 5 s to connect.</summary>
    public static ConnectionFactory Factory(RabbitMqAddress broker, string clientName)
    {
        var factory = new ConnectionFactory
        {
            HostName = broker.Host,
            Port = broker.Port,
            VirtualHost = broker.VirtualHost,
            UserName = broker.Username,
            Password = broker.Password,
            ClientProvidedName = clientName,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            AutomaticRecoveryEnabled = false,
        };
        if (broker.UseTls) factory.Ssl = new SslOption { Enabled = true, ServerName = broker.Host };
        return factory;
    }

    /// <summary>
    /// Messages ready in <paramref name="queue"/>, or null when it does not exist. A passive declare of a missing queue
    /// closes its channel (404), so every probe gets a fresh channel.
    /// </summary>
    public static async Task<uint?> CountAsync(IConnection connection, string queue, CancellationToken cancellationToken = default)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// What waits on the broker for one endpoint with delayed redelivery (<see cref="WaitQueueTopology"/>): the messages in
    /// <c>&lt;queue&gt;_delay_1</c>, <c>_delay_2</c>, … (probed until the first that does not exist, at most ten) and in
    /// <c>&lt;queue&gt;_error</c>. Null when neither the endpoint's queue nor its error queue exists (the channel is not set up).
    /// </summary>
    public static async Task<ParkedMessages?> ParkedAsync(IConnection connection, string queue, CancellationToken cancellationToken = default)
    {
        // All probes at once (each on its own channel): one round trip's latency instead of a dozen.
        var ready = CountAsync(connection, queue, cancellationToken);
        var error = CountAsync(connection, queue + "_error", cancellationToken);
        var delays = Enumerable.Range(1, 10).Select(n => (Name: $"{queue}_delay_{n}", Count: CountAsync(connection, $"{queue}_delay_{n}", cancellationToken))).ToList();
        await Task.WhenAll(delays.Select(d => (Task)d.Count).Append(ready).Append(error));
        if (ready.Result is null && error.Result is null) return null;
        var waiting = delays.TakeWhile(d => d.Count.Result is not null).Select(d => (d.Name, d.Count.Result!.Value)).ToList();
        return new ParkedMessages(queue, ready.Result ?? 0, waiting, error.Result ?? 0);
    }
}

/// <summary>One endpoint's messages on the broker: ready in its queue, waiting in its <c>_delay_&lt;n&gt;</c> queues, parked in <c>_error</c>.</summary>
public sealed record ParkedMessages(string Queue, uint Ready, IReadOnlyList<(string Queue, uint Messages)> Waiting, uint Error)
{
    public long WaitingTotal => Waiting.Sum(w => (long)w.Messages);
    public string ErrorQueue => Queue + "_error";
}
