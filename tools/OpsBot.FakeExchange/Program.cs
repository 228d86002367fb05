using OpsBot.FakeExchange;

// A local Coinbase Advanced Trade WebSocket stand-in for the demo: replays a scripted session to every session
// (?session=NAME) that connects, then sends heartbeats. Settings: ExchangeToolSettings (FAKE_EXCHANGE_*).
ExchangeToolSettings settings;
try { settings = ExchangeToolSettings.From(Environment.GetEnvironmentVariable); }
catch (ArgumentException e)
{
    Console.Error.WriteLine($"fake exchange: cannot start: {e.Message}");
    return 2;
}
var (script, description) = settings.Script();
await using var server = await FakeExchangeServer.StartAsync(settings.Options(script));
Console.WriteLine($"fake exchange listening: EXCHANGE_WS_URL={server.Url}; plays {description}");
using var stopping = new CancellationTokenSource();
var gate = Task.CompletedTask;
if (settings.HoldFor.Count > 0)
{
    var sessions = string.Join(", ", settings.HoldFor);
    Console.WriteLine($"fake exchange: holding the script (silent) until sessions {sessions} have subscribed");
    gate = Task.Run(async () =>
    {
        if (await PlaybackGate.StartWhenSubscribedAsync(server, settings.HoldFor, stopping.Token))
            Console.WriteLine($"fake exchange: sessions {sessions} subscribed; playing the script");
    });
}
await server.WaitForShutdownAsync(); // Ctrl-C or SIGTERM
await stopping.CancelAsync();
await gate;
return 0;
