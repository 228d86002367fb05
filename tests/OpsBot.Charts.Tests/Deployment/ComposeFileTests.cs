using System.Text.RegularExpressions;
using OpsBot.Testing;

namespace OpsBot.Charts.Tests.Deployment;

/// <summary>docker-compose.yml is validated by docker-compose itself (no Docker engine runs here; scripts/test.sh installs docker-compose).</summary>
public sealed class ComposeFileTests
{
    private static readonly string[] Services = ["ops-bot", "pnl-ingest", "risk-evaluator", "notifier", "market-feed", "parity-checker"];
    private static readonly string[] DemoOnly = ["fake-slack", "fake-exchange", "demo-feed"];
    private static readonly string[] TracingOnly = ["jaeger"];

    private static Task<ProcessResult> Compose(params string[] args) =>
        // Run from the temp folder: no stray .env from the work tree.
        ProcessRunner.RunAsync("docker-compose", ["-f", Path.Combine(RepoPaths.Root, "docker-compose.yml"), .. args], Path.GetTempPath(),
            "docker-compose is not installed; scripts/test.sh installs it (apt-get install docker-compose).");

    private static async Task<Dictionary<string, string>> ServiceBlocks(params string[] args)
    {
        var result = await Compose([.. args, "config"]);
        Assert.True(result.ExitCode == 0, result.Describe());
        var start = Regex.Match(result.Stdout, @"(?m)^services:\n");
        Assert.True(start.Success, result.Stdout);
        var services = result.Stdout[(start.Index + start.Length)..];
        var end = Regex.Match(services, @"\n[a-z]");
        if (end.Success) services = services[..end.Index];
        return Regex.Split("\n" + services, @"\n  (?=[a-z-]+:\n)")
            .Where(b => b.Trim().Length > 0)
            .ToDictionary(b => b[..b.IndexOf(':')].Trim(), b => b);
    }

    [Fact]
    public async Task The_compose_file_is_valid()
    {
        var result = await Compose("config", "-q");
        Assert.True(result.ExitCode == 0, result.Describe());
        var demo = await Compose("--profile", "demo", "config", "-q");
        Assert.True(demo.ExitCode == 0, demo.Describe());
        var tracing = await Compose("--profile", "tracing", "config", "-q");
        Assert.True(tracing.ExitCode == 0, tracing.Describe());
    }

    [Fact]
    public async Task Every_service_is_there_and_only_the_sink_the_fake_exchange_and_the_feed_are_in_the_demo_profile()
    {
        var names = await Compose("config", "--services");
        Assert.Equal(Services.Concat(DemoOnly).Concat(TracingOnly).Append("rabbitmq").Append("redis").Order(), names.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());

        var blocks = await ServiceBlocks();
        foreach (var demoOnly in DemoOnly)
            Assert.Matches(@"profiles:\n\s+- demo", blocks[demoOnly]);
        foreach (var tracingOnly in TracingOnly)
            Assert.Matches(@"profiles:\n\s+- tracing", blocks[tracingOnly]);
        foreach (var always in Services.Append("rabbitmq").Append("redis"))
            Assert.DoesNotContain("profiles:", blocks[always]);
    }

    [Fact]
    public async Task Every_service_waits_for_healthy_infrastructure_runs_read_only_and_is_built_from_its_project()
    {
        var blocks = await ServiceBlocks();
        foreach (var service in Services)
        {
            var block = blocks[service];
            Assert.Matches(@"rabbitmq:\n\s+condition: service_healthy", block);
            Assert.Matches(@"redis:\n\s+condition: service_healthy", block);
            Assert.Contains("read_only: true", block);
            Assert.Contains("RABBITMQ_URL: amqp://", block);
            Assert.Contains("HEALTH_PORT: '8080'", block);
            var project = Regex.Match(block, @"PROJECT: (\S+)").Groups[1].Value;
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, project)), $"{service}: build arg PROJECT={project} does not exist");
        }
        foreach (var demo in DemoOnly)
        {
            var project = Regex.Match(blocks[demo], @"PROJECT: (\S+)").Groups[1].Value;
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, project)), $"{demo}: build arg PROJECT={project} does not exist");
        }
        foreach (var infra in new[] { "rabbitmq", "redis", "fake-slack", "fake-exchange" })
            Assert.Contains("healthcheck:", blocks[infra]);
        Assert.Contains("15672", blocks["rabbitmq"]); // management UI
    }

    [Fact]
    public async Task The_broker_enables_the_consistent_hash_exchange_risk_evaluator_partitions_with()
    {
        var blocks = await ServiceBlocks();
        Assert.Contains("rabbitmq-plugins enable --offline rabbitmq_consistent_hash_exchange", blocks["rabbitmq"]);
        Assert.Contains("RISK_PARTITIONS: '8'", blocks["risk-evaluator"]);
    }

    [Fact]
    public async Task Ops_bot_takes_its_slack_tokens_from_the_environment_and_no_secret_has_a_default()
    {
        var blocks = await ServiceBlocks();
        foreach (var key in new[] { "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET" })
            Assert.Matches($@"{key}: ''", blocks["ops-bot"]);
        var config = string.Join("\n", blocks.Values);
        Assert.DoesNotContain("xoxb-", config);
        Assert.DoesNotContain("xapp-", config);
        Assert.DoesNotContain("change-me", config);
    }

    [Fact]
    public async Task The_example_env_file_feeds_every_setting_the_compose_file_reads()
    {
        var compose = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docker-compose.yml"));
        var example = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, ".env.example"));
        var defined = Regex.Matches(example, @"^#?\s*([A-Z][A-Z0-9_]*)=", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();
        var read = Regex.Matches(compose, @"\$\{([A-Z][A-Z0-9_]*)").Select(m => m.Groups[1].Value).Distinct();
        Assert.Equal([], read.Where(name => !defined.Contains(name)).ToArray());
    }
}
