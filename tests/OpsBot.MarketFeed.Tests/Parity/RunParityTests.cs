using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OpsBot.ParityRun;
using OpsBot.Testing;

namespace OpsBot.MarketFeed.Tests.Parity;

/// <summary>scripts/run_parity: PASS with equal non-zero counts, FAIL and a non-zero exit when one client drops or alters an event.</summary>
public sealed class RunParityTests
{
    [Fact]
    public async Task Both_clients_agree_on_the_standard_session_with_equal_non_zero_counts()
    {
        var result = await new ParityRunner(NullLoggerFactory.Instance).RunAsync(new ParityRunOptions { ExtraTicks = 50 });

        Assert.True(result.Passed, string.Join("\n", result.Outcome.Differences));
        foreach (var client in ParityRunner.Clients)
        {
            Assert.Equal(result.Expected.Tickers, result.Outcome.Count(client, "ticker"));
            Assert.Equal(result.Expected.UserUpdates, result.Outcome.Count(client, "user_update"));
        }
        Assert.True(result.Expected is { Tickers: > 0, UserUpdates: > 0 });
        Assert.All(result.Stats, s => Assert.Equal((1L, 2L, 1L, 2L), (s.Malformed, s.Gaps, s.StaleFrames, s.Connections)));
    }

    [Fact]
    public async Task The_script_prints_PASS_and_exits_zero()
    {
        var (exit, summary) = await RunScriptAsync(fault: null);

        Assert.Equal(0, exit);
        var lines = summary.TrimEnd().Split('\n');
        Assert.Equal("PASS", lines[^1]);
        var raw = Assert.Single(lines, l => l.StartsWith("raw ticker=", StringComparison.Ordinal));
        var sdk = Assert.Single(lines, l => l.StartsWith("sdk ticker=", StringComparison.Ordinal));
        Assert.Equal(raw["raw".Length..], sdk["sdk".Length..]);
        Assert.DoesNotContain("ticker=0 ", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("user_update=0", raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drop:sdk:ticker", "ticker: raw 211, sdk 210")]
    [InlineData("alter:raw:user_update", "user_update only in raw (x1)")]
    [InlineData("drop:raw:user_update", "user_update: raw 25, sdk 26")]
    public async Task The_script_prints_FAIL_and_exits_non_zero_when_one_client_drops_or_alters_an_event(string fault, string difference)
    {
        var (exit, summary) = await RunScriptAsync(fault);

        Assert.Equal(1, exit);
        Assert.Equal("FAIL", summary.TrimEnd().Split('\n')[^1]);
        Assert.Contains(difference, summary, StringComparison.Ordinal);
        Assert.Contains($"# fault injected: {fault}", summary, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Summary)> RunScriptAsync(string? fault)
    {
        var dir = Directory.CreateTempSubdirectory("parity-");
        try
        {
            var summary = Path.Combine(dir.FullName, "parity_summary.txt");
            var psi = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "run_parity")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.Environment["CONFIGURATION"] = RepoPaths.Configuration;
            psi.Environment["PARITY_NO_BUILD"] = "1"; // built with this test project
            psi.Environment["PARITY_SUMMARY"] = summary;
            psi.Environment["PARITY_LOG"] = Path.Combine(dir.FullName, "parity_run.log");
            psi.Environment["PARITY_EXTRA_TICKS"] = "200";
            if (fault is not null) psi.Environment["PARITY_FAULT"] = fault;
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(File.Exists(summary), $"no summary; stdout: {await stdout}\nstderr: {await stderr}");
            var text = await File.ReadAllTextAsync(summary);
            Assert.Equal(text, await stdout); // the summary is also printed
            return (process.ExitCode, text);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
