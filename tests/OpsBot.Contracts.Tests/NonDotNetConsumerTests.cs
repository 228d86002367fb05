using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsBot.Testing;
using StackExchange.Redis;

namespace OpsBot.Contracts.Tests;

/// <summary>
/// A trading system outside .NET: a Python script with pika (Debian's python3-pika) binds its own
/// durable queue to OpsBot's exchanges, receives PnlUpdated and AlertRaised published by the real
/// services, validates them against the committed schemas; and publishes a KillSwitchChanged that
/// risk-evaluator consumes (its alert comes back to the script).
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class NonDotNetConsumerTests(InfraFixture infra) : IAsyncLifetime
{
    private const string Python = "/usr/bin/python3"; // Debian's, where python3-pika and python3-jsonschema are installed
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "python", "opsbot_events.py");
    private readonly string _pnlChannel = $"pnl-py-{Guid.NewGuid():N}";
    private readonly List<ServiceProcess> _services = [];
    private string _rabbit = "";

    public async Task InitializeAsync()
    {
        _rabbit = await infra.CreateVirtualHostAsync();
        var env = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = _rabbit,
            ["REDIS_URL"] = infra.RedisUrl,
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:", // risk state of this run only (the Redis is shared)
            ["PNL_CHANNEL"] = _pnlChannel,
            ["ALERT_PNL_THRESHOLD"] = "1000",
        };
        _services.Add(ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", env));
        _services.Add(ServiceProcess.Start("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", env));
        await Task.WhenAll(_services.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(60))));
    }

    [Fact]
    public async Task A_python_consumer_receives_valid_events_and_a_python_publisher_reaches_the_services()
    {
        var schemas = Path.Combine(RepoPaths.Root, "docs", "contracts");
        using var consumer = StartPython("consume", _rabbit, "python-trading-system", schemas,
            "opsbot.pnl-updated.v1", "opsbot.alert-raised.v1", "--count", "3", "--timeout", "60");
        var lines = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        consumer.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines) lines.Add(e.Data);
            if (e.Data == "ready") ready.TrySetResult();
        };
        var errors = new List<string>();
        consumer.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.Add(e.Data); };
        consumer.BeginOutputReadLine();
        consumer.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // One losing PnL through Redis: PnlUpdated (v2, read as v1) and a loss AlertRaised.
        var correlationId = Guid.NewGuid();
        await infra.Redis.GetSubscriber().PublishAsync(RedisChannel.Literal(_pnlChannel), JsonSerializer.Serialize(new
        {
            account = "acct-py",
            strategy = "python-watched",
            realized = -1500.75,
            unrealized = -20,
            currency = "EUR",
            fees = 3.5,
            timestamp = DateTimeOffset.UtcNow.ToString("O"),
            correlation_id = correlationId.ToString(),
        }));
        // The other direction: Python publishes a kill-switch change; risk-evaluator turns it into an alert.
        using (var publisher = StartPython("publish-kill-switch", _rabbit, "desk-7", "true"))
        {
            await publisher.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(publisher.ExitCode == 0, await publisher.StandardError.ReadToEndAsync());
        }

        await consumer.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(consumer.ExitCode == 0, string.Join('\n', errors));
        var received = lines.Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(3, received.Count);
        Assert.All(received, r =>
        {
            Assert.True(r["valid"]!.GetValue<bool>(), r.ToJsonString());
            Assert.Equal("application/vnd.masstransit+json", r["contentType"]!.ToString());
        });

        // Bound to the v1 exchange, the script receives what pnl-ingest publishes as v2 (exchange-to-exchange binding).
        var pnl = Assert.Single(received, r => r["messageType"]!.AsArray().Any(t => t!.ToString() == "urn:message:opsbot.pnl-updated.v1"));
        Assert.Equal("opsbot.pnl-updated.v2", pnl["exchange"]!.ToString());
        Assert.Equal("urn:message:opsbot.pnl-updated.v2", pnl["schema"]!.ToString());
        Assert.Equal(correlationId.ToString(), pnl["message"]!["correlationId"]!.ToString());
        Assert.Equal("-1500.75", pnl["message"]!["realized"]!.ToString());
        Assert.Equal("3.5", pnl["message"]!["fees"]!.ToString());

        var alerts = received.Where(r => r["exchange"]!.ToString() == "opsbot.alert-raised.v1").Select(r => r["message"]!).ToList();
        Assert.All(received.Where(r => r["exchange"]!.ToString() == "opsbot.alert-raised.v1"), r => Assert.Equal("urn:message:opsbot.alert-raised.v1", r["schema"]!.ToString()));
        Assert.Equal(2, alerts.Count);
        var loss = Assert.Single(alerts, a => a["dedupKey"]!.ToString() == "pnl-loss:acct-py:python-watched");
        Assert.Equal(correlationId.ToString(), loss["correlationId"]!.ToString());
        Assert.Equal("warning", loss["severity"]!.ToString());
        var killSwitch = Assert.Single(alerts, a => a["dedupKey"]!.ToString() == "kill-switch:desk-7");
        Assert.Equal("critical", killSwitch["severity"]!.ToString());
    }

    private static Process StartPython(params string[] args)
    {
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} is missing; scripts/test.sh installs python3-pika and python3-jsonschema from Debian.");
        var psi = new ProcessStartInfo(Python, [Script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        return Process.Start(psi)!;
    }

    public async Task DisposeAsync()
    {
        foreach (var service in _services) await service.DisposeAsync();
    }
}
