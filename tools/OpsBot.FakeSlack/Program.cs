using OpsBot.FakeSlack;

// A local Slack-compatible sink for the demo: prints every chat.postMessage it receives.
var port = int.TryParse(Environment.GetEnvironmentVariable("SLACK_SINK_PORT"), out var p) ? p : 3000;
var host = Environment.GetEnvironmentVariable("SLACK_SINK_HOST") ?? "127.0.0.1";
await using var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { Port = port, Host = host });
server.Received += SlackMessagePrinter.Print;
Console.WriteLine($"fake Slack listening: SLACK_API_URL={server.ApiUrl}");
await server.WaitForShutdownAsync(); // Ctrl-C or SIGTERM
