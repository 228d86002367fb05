using Microsoft.Extensions.Configuration;
using OpsBot.Redrive;
using OpsBot.ServiceDefaults;

// scripts/redrive QUEUE: moves the messages parked in QUEUE (X_error, or a wait queue X_delay_<n>) back to the
// endpoint X on the broker of RABBITMQ_URL, with publisher confirms; prints how many. Exit 0 done, 1 failed, 2 usage.
if (args.Length != 1 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: scripts/redrive QUEUE   e.g. scripts/redrive notifier-slack_error (reads RABBITMQ_URL)");
    return 2;
}
var queue = args[0];
if (ErrorQueueRedriver.TargetOf(queue) is null)
{
    Console.Error.WriteLine($"redrive: '{queue}' is neither an error queue (X_error) nor a wait queue (X_delay_<n>).");
    return 2;
}
try
{
    var broker = BrokerQueues.Address(new Settings(new ConfigurationBuilder().AddEnvironmentVariables().Build()));
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); }; // finish the message in hand, then stop
    await using var connection = await BrokerQueues.Factory(broker, "opsbot-redrive").CreateConnectionAsync(CancellationToken.None);
    await new ErrorQueueRedriver(connection, Console.Out).RedriveAsync(queue, stop.Token);
    return 0;
}
catch (Exception e)
{
    // One line; RabbitMqAddress never prints the password, and neither do the client's exception messages.
    Console.Error.WriteLine($"redrive: {queue} not re-driven: {e.GetType().Name}: {e.Message}");
    return 1;
}
