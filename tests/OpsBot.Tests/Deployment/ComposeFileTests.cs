using System.Diagnostics;
using OpsBot.Testing;

namespace OpsBot.Tests.Deployment;

/// <summary>docker-compose.yml is validated by docker-compose itself (no Docker engine runs here; scripts/test.sh installs docker-compose).</summary>
public sealed class ComposeFileTests
{
    private static async Task<(int Code, string Out, string Err)> Compose(params string[] args)
    {
        var psi = new ProcessStartInfo("docker-compose", ["-f", Path.Combine(RepoPaths.Root, "docker-compose.yml"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(), // no stray .env from the working tree
        };
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("docker-compose is not installed; scripts/test.sh installs it (apt-get install docker-compose).", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout, await stderr);
        }
    }

    [Fact]
    public async Task The_compose_file_is_valid()
    {
        var (code, _, err) = await Compose("config", "-q");
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task Every_service_is_there_and_only_the_sink_and_the_feed_are_in_the_demo_profile()
    {
        var (_, services, _) = await Compose("config", "--services");
        Assert.Equal(["demo-feed", "fake-slack", "notifier", "pnl-ingest", "rabbitmq", "redis", "risk-evaluator"],
            services.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());

        var (_, config, _) = await Compose("config");
        var blocks = System.Text.RegularExpressions.Regex.Split(config, @"\n  (?=[a-z-]+:\n)")
            .ToDictionary(b => b[..b.IndexOf(':')].Trim(), b => b);
        foreach (var demoOnly in new[] { "fake-slack", "demo-feed" })
            Assert.Matches(@"profiles:\n\s+- demo", blocks[demoOnly]);
        foreach (var always in new[] { "notifier", "pnl-ingest", "risk-evaluator", "rabbitmq", "redis" })
            Assert.DoesNotContain("profiles:", blocks[always]);
    }

    [Fact]
    public async Task Services_wait_for_healthy_infrastructure_and_no_secret_has_a_default()
    {
        var (code, config, err) = await Compose("config");
        Assert.True(code == 0, err);
        Assert.Contains("condition: service_healthy", config);
        Assert.DoesNotContain("xoxb-", config);
    }
}
