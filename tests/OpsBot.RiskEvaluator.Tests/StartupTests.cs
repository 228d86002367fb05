using OpsBot.Testing;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>The risk-evaluator process with a bad or missing setting exits at once with code 2 and one clear line.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Risk_evaluator_with_a_malformed_threshold_exits_with_a_clear_message()
    {
        await using var risk = ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", new Dictionary<string, string>
        {
            ["ALERT_PNL_THRESHOLD"] = "ten thousand",
        });
        Assert.Equal(2, await risk.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(risk.Output, l => l.Contains("ALERT_PNL_THRESHOLD must be a number, got 'ten thousand'."));
    }
}
