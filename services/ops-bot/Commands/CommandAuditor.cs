using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.Bot.Commands;

/// <summary>The outcome of a command in the audit trail (the <c>CommandAudited.Outcome</c> values).</summary>
public static class AuditOutcome
{
    public const string Allowed = "allowed";
    public const string Refused = "refused";
    public const string Invalid = "invalid";
    public const string Failed = "failed";
}

/// <summary>
/// Audits every command and button, allowed or not: one structured log line (<c>OpsAudit</c>) at once, and a
/// <c>CommandAudited</c> event published in the background (a broker outage never delays the answer; the
/// log line is the record of last resort).
/// </summary>
public sealed class CommandAuditor(IBus bus, TimeProvider time, ILogger<CommandAuditor> logger)
{
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    public Task AuditAsync(string user, string command, string outcome, string? detail, Guid correlationId)
    {
        logger.LogInformation("OpsAudit user={User} command={Command} outcome={Outcome} detail={Detail} correlationId={CorrelationId}",
            user, command, outcome, detail, correlationId);
        var audited = new CommandAudited
        {
            CorrelationId = correlationId,
            Timestamp = time.GetUtcNow(),
            User = user,
            Command = command.Length <= 500 ? command : command[..500],
            Outcome = outcome,
            Detail = detail,
        };
        return Task.Run(async () =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(PublishTimeout);
                await bus.Publish(audited, timeout.Token);
            }
            catch (Exception e)
            {
                logger.LogWarning("Could not publish CommandAudited for {CorrelationId} ({Error}); the OpsAudit log line stands", correlationId, e.GetType().Name);
            }
        });
    }
}
