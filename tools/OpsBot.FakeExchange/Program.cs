using OpsBot.FakeExchange;

// A local Coinbase Advanced Trade WebSocket stand-in for the demo: replays the standard scripted session
// to every session (?session=NAME) that connects, then sends heartbeats.
var port = int.TryParse(Environment.GetEnvironmentVariable("FAKE_EXCHANGE_PORT"), out var p) ? p : 8765;
var host = Environment.GetEnvironmentVariable("FAKE_EXCHANGE_HOST") ?? "127.0.0.1";
var extra = int.TryParse(Environment.GetEnvironmentVariable("FAKE_EXCHANGE_EXTRA_TICKS"), out var n) ? n : 0;
await using var server = await FakeExchangeServer.StartAsync(new FakeExchangeOptions { Port = port, Host = host, Script = ExchangeScript.Standard(extra) });
Console.WriteLine($"fake exchange listening: EXCHANGE_WS_URL={server.Url}");
await server.WaitForShutdownAsync(); // Ctrl-C or SIGTERM
