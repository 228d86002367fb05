using System.Text.Json.Nodes;
using OpsBot.Bot.Guards;
using OpsBot.Bot.Slack;

namespace OpsBot.Bot.Commands;

/// <summary>
/// The command pipeline, the same for Socket Mode and HTTP: parse, authorise, audit, run the handler.
/// Every command runs on its own task. If it answers within <c>OPS_INLINE_ANSWER_MS</c> the answer goes
/// into the acknowledgement itself; otherwise the acknowledgement goes out empty (within Slack's 3 s) and
/// the answer follows through the response_url. So a slow command never delays a fast one, or the ack.
/// A delivery Slack repeats (same trigger_id: an <c>X-Slack-Retry-Num</c> retry, a Socket Mode envelope sent
/// again) is acknowledged and not run a second time, on any replica.
/// </summary>
public sealed class SlashCommandProcessor(
    OpsCommandParser parser,
    OpsAuthorizer authorizer,
    CommandAuditor auditor,
    IServiceProvider services,
    DuplicateGuard duplicates,
    SlackResponder responder,
    BackgroundWork background,
    BotOptions options,
    TimeProvider time,
    ILogger<SlashCommandProcessor> logger)
{
    /// <summary>How long a delivery is remembered: Slack retries within minutes; a response_url lives 30.</summary>
    public static readonly TimeSpan DeliveryMemory = TimeSpan.FromMinutes(30);

    /// <summary>Returns the acknowledgement's payload, or null to acknowledge without one (the answer follows).</summary>
    public async Task<JsonObject?> HandleAsync(SlashCommandRequest request, CancellationToken cancellationToken)
    {
        if (request.TriggerId is { Length: > 0 } trigger && await duplicates.DeliveryAsync(trigger, DeliveryMemory) == Once.Seen)
        {
            logger.LogInformation("Slack delivered {Command} again (same trigger_id); acknowledged, not run twice", request);
            return null;
        }
        var answered = background.Run("command", ct => AnswerAsync(request, ct));
        var budget = Task.Delay(options.InlineAnswerBudget, time, cancellationToken);
        if (await Task.WhenAny(answered, budget) == answered && answered.IsCompletedSuccessfully) return answered.Result.ToSlack();

        _ = background.Run("late answer", async ct =>
        {
            var reply = await answered;
            if (!await responder.RespondAsync(request.ResponseUrl, reply.ToSlack(), ct))
                logger.LogWarning("The late answer to {Command} could not be delivered", request.Command);
        });
        return null;
    }

    /// <summary>Runs one command to its answer; never throws.</summary>
    public async Task<CommandReply> AnswerAsync(SlashCommandRequest request, CancellationToken cancellationToken)
    {
        var correlationId = Guid.NewGuid();
        var typed = $"{request.Command} {request.Text}".Trim();
        var command = parser.Parse(request.Text);
        var context = new CommandContext(request.UserId, request.ChannelId, correlationId);
        try
        {
            if (command is InvalidCommand invalid)
            {
                await auditor.AuditAsync(request.UserId, typed, AuditOutcome.Invalid, invalid.Problem, correlationId);
                return new CommandReply($"{SlackJson.Escape(char.ToUpperInvariant(invalid.Problem[0]) + invalid.Problem[1..])}. {invalid.Usage}");
            }
            if (command.NeedsAdmin && !await authorizer.IsAdminAsync(request.UserId, cancellationToken))
            {
                await auditor.AuditAsync(request.UserId, typed, AuditOutcome.Refused, "not in OPS_ADMINS", correlationId);
                return new CommandReply($"⛔ `{command.Name}` is only for the admins listed in OPS_ADMINS. This attempt was recorded.");
            }
            await auditor.AuditAsync(request.UserId, typed, AuditOutcome.Allowed, command is KillSwitchCommand ? "awaiting confirmation" : null, correlationId);
            return await RunAsync(command, context, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Command {Command} failed (correlation id {CorrelationId})", command.Name, correlationId);
            await auditor.AuditAsync(request.UserId, typed, AuditOutcome.Failed, e.GetType().Name, correlationId);
            return new CommandReply($"❌ `{command.Name}` failed: {SlackJson.Escape(Describe(e))} (correlation id `{correlationId}`).");
        }
    }

    private Task<CommandReply> RunAsync(OpsCommand command, CommandContext context, CancellationToken ct) => command switch
    {
        HelpCommand c => Handler<HelpCommand>().HandleAsync(c, context, ct),
        StatusCommand c => Handler<StatusCommand>().HandleAsync(c, context, ct),
        PnlCommand c => Handler<PnlCommand>().HandleAsync(c, context, ct),
        RiskCommand c => Handler<RiskCommand>().HandleAsync(c, context, ct),
        AlertsCommand c => Handler<AlertsCommand>().HandleAsync(c, context, ct),
        AckCommand c => Handler<AckCommand>().HandleAsync(c, context, ct),
        ResolveCommand c => Handler<ResolveCommand>().HandleAsync(c, context, ct),
        ParityCommand c => Handler<ParityCommand>().HandleAsync(c, context, ct),
        SilenceCommand c => Handler<SilenceCommand>().HandleAsync(c, context, ct),
        UnsilenceCommand c => Handler<UnsilenceCommand>().HandleAsync(c, context, ct),
        KillSwitchCommand c => Handler<KillSwitchCommand>().HandleAsync(c, context, ct),
        _ => throw new InvalidOperationException($"no handler for {command.GetType().Name}"),
    };

    private ICommandHandler<T> Handler<T>() where T : OpsCommand => services.GetRequiredService<ICommandHandler<T>>();

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "the message bus did not answer in time; nothing was published, try again",
        _ => "internal error",
    };
}
