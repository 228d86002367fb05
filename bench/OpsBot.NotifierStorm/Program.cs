using System.Diagnostics;
using System.Globalization;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;
using RabbitMQ.Client;

// Alert storm: N AlertRaised over S seconds with K distinct dedup keys, published on RabbitMQ to R notifier processes
// (replicas sharing Redis: dedup, incidents, pace) delivering to a fake Slack and a fake Teams that each allow 1 message
// a second (429 beyond). Prints: requests made, 429s drawn, digests, when the last key became visible after the storm's end.
//   dotnet run -c Release --project bench/OpsBot.NotifierStorm -- [--alerts 10000] [--seconds 10] [--keys 100] [--replicas 1]
// Uses REDIS_URL/RABBITMQ_URL/OPSBOT_INFRA_DIR when set (scripts/infra.sh start), else starts its own servers.
var alerts = Arg("--alerts", 10_000);
var seconds = Arg("--seconds", 10);
var keys = Arg("--keys", 100);
var replicas = Arg("--replicas", 1);

var infra = new InfraFixture();
await infra.InitializeAsync();
var notifiers = new List<ServiceProcess>();
try
{
    var rabbit = await infra.CreateVirtualHostAsync();
    await using var slack = await FakeSlackServer.StartAsync(new FakeSlackOptions { ExpectedToken = "xoxb-storm", MessagesPerSecondPerChannel = 1 });
    await using var teams = await FakeTeamsServer.StartAsync(new FakeTeamsOptions { MessagesPerSecond = 1 });
    var prefix = $"storm:{Guid.NewGuid():N}:";
    var environment = new Dictionary<string, string>
    {
        ["RABBITMQ_URL"] = rabbit,
        ["REDIS_URL"] = infra.RedisUrl,
        ["NOTIFIER_REDIS_PREFIX"] = prefix,
        ["SLACK_API_URL"] = slack.ApiUrl.ToString(),
        ["SLACK_BOT_TOKEN"] = "xoxb-storm",
        ["SLACK_ALERT_CHANNEL"] = "C0STORM",
        ["TEAMS_WEBHOOK_URL"] = teams.WebhookUrl.ToString(),
        ["LOG_FORMAT"] = "text",
    };
    notifiers.AddRange(Enumerable.Range(1, replicas).Select(n => ServiceProcess.Start($"notifier-{n}", "services/notifier", "OpsBot.Notifier", environment)));
    await Task.WhenAll(notifiers.Select(n => n.WaitReadyAsync(TimeSpan.FromSeconds(60))));

    var address = RabbitMqAddress.Parse(rabbit);
    var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
    {
        h.Username(address.Username);
        h.Password(address.Password);
        h.PublisherConfirmation = true;
    }));
    await bus.StartAsync();

    Console.WriteLine($"storm: {alerts:N0} AlertRaised over {seconds} s, {keys} distinct keys, {replicas} notifier replica(s); Slack and Teams fakes allow 1 msg/s");
    var clock = Stopwatch.StartNew();
    var start = DateTimeOffset.UtcNow;
    const int ticksPerSecond = 50;
    var totalTicks = seconds * ticksPerSecond;
    var sent = 0;
    var inFlight = new List<Task>(); // publishes are pipelined (confirms awaited in the background) so the rate holds
    for (var tick = 0; tick < totalTicks; tick++)
    {
        var due = (int)((long)alerts * (tick + 1) / totalTicks);
        var batch = inFlight;
        for (; sent < due; sent++)
        {
            var k = sent % keys;
            batch.Add(bus.Publish(new AlertRaised
            {
                CorrelationId = Guid.NewGuid(),
                Timestamp = DateTimeOffset.UtcNow,
                AlertId = Guid.NewGuid(),
                Severity = k % 10 == 0 ? AlertSeverity.Critical : AlertSeverity.Warning,
                Title = $"PnL loss on strategy s{k:D3}",
                Text = $"Total PnL -{1000 + sent} USD is below the threshold",
                DedupKey = $"storm:key-{k:D3}",
                Source = "notifier-storm",
            }));
        }
        if (inFlight.Count(t => !t.IsCompleted) > 2_000) await Task.WhenAll(inFlight);
        var wait = TimeSpan.FromSeconds((double)(tick + 1) / ticksPerSecond) - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
    }
    await Task.WhenAll(inFlight);
    var stormEnd = DateTimeOffset.UtcNow;
    Console.WriteLine($"published {sent:N0} in {(stormEnd - start).TotalSeconds:F1} s ({sent / (stormEnd - start).TotalSeconds:N0}/s)");

    // Wait until every key is visible on both channels, then until the queues are drained.
    var keyNames = Enumerable.Range(0, keys).Select(k => $"storm:key-{k:D3}").ToList();
    var deadline = DateTime.UtcNow.AddSeconds(120);
    DateTimeOffset? slackDone = null, teamsDone = null;
    while (DateTime.UtcNow < deadline && (slackDone is null || teamsDone is null))
    {
        slackDone ??= LastVisible(keyNames, slack.Requests.Where(r => r.Status == 200 && r.Error is null).Select(r => (r.At, r.Body?.ToJsonString() ?? "")));
        teamsDone ??= LastVisible(keyNames, teams.Requests.Where(r => r.Accepted).Select(r => (r.At, r.Json)));
        await Task.Delay(200);
    }
    var factory = new ConnectionFactory { Uri = new Uri(rabbit) };
    await using var connection = await factory.CreateConnectionAsync();
    await using var channel = await connection.CreateChannelAsync();
    DateTimeOffset drained;
    while (true)
    {
        var s = await channel.QueueDeclarePassiveAsync("notifier-slack");
        var t = await channel.QueueDeclarePassiveAsync("notifier-teams");
        if (s.MessageCount + t.MessageCount == 0 || DateTime.UtcNow > deadline) { drained = DateTimeOffset.UtcNow; break; }
        await Task.Delay(200);
    }
    await Task.Delay(1500); // anything after this would be a late duplicate
    var metrics = string.Join('\n', await Task.WhenAll(notifiers.Select(n => n.GetStringAsync("metrics")))); // each replica's counters
    await bus.StopAsync();

    Console.WriteLine();
    Console.WriteLine("| channel | requests made | 429s drawn | messages accepted | digests | keys visible | last key visible after storm end |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
    Row("Slack", slack.Requests.Count, slack.Requests.Count(r => r.Status == 429),
        slack.Requests.Where(r => r.Status == 200 && r.Error is null).Select(r => (r.At, r.Body?.ToJsonString() ?? "", r.Text?.Contains("alerts in the last") == true)).ToList(), slackDone);
    Row("Teams", teams.Requests.Count, teams.Requests.Count(r => r.Status == 429 || (r.ResponseBody?.Contains("HTTP error 429") ?? false)),
        teams.Requests.Where(r => r.Accepted).Select(r => (r.At, r.Json, r.Json.Contains("alerts in the last"))).ToList(), teamsDone);
    Console.WriteLine();
    Console.WriteLine($"queues notifier-slack and notifier-teams drained {(drained - stormEnd).TotalSeconds:F1} s after the storm's end");
    foreach (var line in metrics.Split('\n').Where(l => l.StartsWith("opsbot_notifier_sent_total") || l.StartsWith("opsbot_notifier_suppressed_total") || l.StartsWith("opsbot_notifier_messages_total") || l.StartsWith("opsbot_notifier_rate_limited_total")))
        Console.WriteLine("  " + line);
    await infra.Redis.GetDatabase().KeyDeleteAsync(infra.Redis.GetServers().First().Keys(pattern: prefix + "*").ToArray());

    void Row(string name, int requests, int limited, List<(DateTimeOffset At, string Json, bool Digest)> accepted, DateTimeOffset? done)
    {
        var visible = keyNames.Count(k => accepted.Any(a => a.Json.Contains(k)));
        var last = done is { } d ? $"{(d - stormEnd).TotalSeconds:+0.0;-0.0} s" : "not within 120 s";
        Console.WriteLine($"| {name} | {requests} | {limited} | {accepted.Count} | {accepted.Count(a => a.Digest)} | {visible}/{keys} | {last} |");
    }
}
finally
{
    foreach (var notifier in notifiers) await notifier.DisposeAsync();
    await infra.DisposeAsync();
}

static DateTimeOffset? LastVisible(IReadOnlyList<string> keys, IEnumerable<(DateTimeOffset At, string Json)> accepted)
{
    var list = accepted.OrderBy(a => a.At).ToList();
    DateTimeOffset last = DateTimeOffset.MinValue;
    foreach (var key in keys)
    {
        var first = list.FirstOrDefault(a => a.Json.Contains(key));
        if (first.Json is null) return null;
        if (first.At > last) last = first.At;
    }
    return last;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
