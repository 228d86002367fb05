using OpsBot.FakeSlack;

// The local Slack stand-in of the demo. No arguments: a sink that prints every chat.postMessage it receives
// (SLACK_SINK_PORT, default 3000; SLACK_SINK_HOST). `command '/ops …'`: sends one signed slash command to ops-bot
// and prints the answer (SlashCommandCli; what scripts/slack runs).
if (args is ["command", .. var typed]) return await SlashCommandCli.RunAsync(typed, Environment.GetEnvironmentVariable);

var port = int.TryParse(Environment.GetEnvironmentVariable("SLACK_SINK_PORT"), out var p) ? p : 3000;
var host = Environment.GetEnvironmentVariable("SLACK_SINK_HOST") ?? "127.0.0.1";
await using var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { Port = port, Host = host });
server.Received += SlackMessagePrinter.Print;
Console.WriteLine($"fake Slack listening: SLACK_API_URL={server.ApiUrl}");
await server.WaitForShutdownAsync(); // Ctrl-C or SIGTERM
return 0;
