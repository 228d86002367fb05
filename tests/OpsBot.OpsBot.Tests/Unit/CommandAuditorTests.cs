using OpsBot.Bot.Commands;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Unit;

/// <summary>The audit never holds up an answer: the OpsAudit line is written at once and CommandAudited goes out in the background.</summary>
public sealed class CommandAuditorTests
{
    [Fact]
    public async Task With_the_broker_unreachable_auditing_completes_at_once_and_the_audit_line_is_written()
    {
        // Before, AuditAsync returned the background publish itself, and every command awaited it: with the broker
        // down, /ops status answered 10 s (the publish timeout) late.
        await using var bot = await BotHost.StartAsync(BotHost.Settings(null), waitReady: false); // NoBroker: nothing listens
        var correlationId = Guid.NewGuid();

        var audit = bot.Get<CommandAuditor>().AuditAsync("U1", "/ops status", AuditOutcome.Allowed, null, correlationId);

        Assert.True(audit.IsCompletedSuccessfully, "auditing waited for the broker");
        await audit;
        Assert.Contains(bot.Logs.Lines(), l => l.Contains("OpsAudit", StringComparison.Ordinal) && l.Contains(correlationId.ToString(), StringComparison.Ordinal));
    }
}
