using MassTransit;
using OpsBot.Bot.Slack;
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
public sealed class CommandAuditor(IBus bus, BackgroundWork background, TimeProvider time, ILogger<CommandAuditor> logger)
{
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Logs the audit line and starts the publish of <c>CommandAudited</c>; completes at once, without waiting for the
    /// broker (before, callers awaited the publish: with the broker down every command answered 10 s late).
    /// </summary>
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
        _ = background.Run("CommandAudited", async stopping =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                timeout.CancelAfter(PublishTimeout);
                await bus.Publish(audited, timeout.Token);
            }
            catch (Exception e)
            {
                logger.LogWarning("Could not publish CommandAudited for {CorrelationId} ({Error}); the OpsAudit log line stands", correlationId, e.GetType().Name);
            }
        });
        return Task.CompletedTask;
    }
}
