using OpsBot.Testing;

namespace OpsBot.Notifier.Tests;

/// <summary>The notifier process with a bad or missing setting exits at once with code 2 and one clear line, and leaks no secret.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Notifier_without_a_delivery_channel_exits_with_a_clear_message()
    {
        await using var notifier = ServiceProcess.Start("notifier", "services/notifier", "OpsBot.Notifier", new Dictionary<string, string>
        {
            ["SLACK_BOT_TOKEN"] = "xoxb-do-not-print-me",
        });
        Assert.Equal(2, await notifier.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var output = string.Join('\n', notifier.Output);
        Assert.Contains("notifier: cannot start: SLACK_BOT_TOKEN is set but SLACK_ALERT_CHANNEL is not", output);
        Assert.DoesNotContain("xoxb-do-not-print-me", output);
    }
}
