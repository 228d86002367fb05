using System.Text.Json.Nodes;
using MassTransit;
using OpsBot.Bot.Interactions;
using OpsBot.Bot.Slack;
using OpsBot.Contracts;

namespace OpsBot.Bot.Commands;

/// <summary><c>/ops silence</c>: publishes <c>SilenceRequested</c> (the notifier mutes matching alerts until then).</summary>
public sealed class SilenceHandler(IBus bus, TimeProvider time) : ICommandHandler<SilenceCommand>
{
    public async Task<CommandReply> HandleAsync(SilenceCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + command.Duration;
        await BusPublish.WithTimeoutAsync(bus, new SilenceRequested
        {
            CorrelationId = context.CorrelationId,
            Timestamp = time.GetUtcNow(),
            SilenceId = Guid.NewGuid(),
            Matcher = command.Matcher,
            Until = until,
            RequestedBy = context.UserId,
            Reason = "/ops " + command.Text,
        }, cancellationToken);
        return new CommandReply($"🔕 Alerts matching `{SlackJson.Escape(command.Matcher)}` silenced until {Formats.Time(until)} by <@{context.UserId}>.", Ephemeral: false);
    }
}

public sealed class UnsilenceHandler(IBus bus, TimeProvider time) : ICommandHandler<UnsilenceCommand>
{
    public async Task<CommandReply> HandleAsync(UnsilenceCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        await BusPublish.WithTimeoutAsync(bus, new UnsilenceRequested
        {
            CorrelationId = context.CorrelationId,
            Timestamp = time.GetUtcNow(),
            Matcher = command.Matcher,
            RequestedBy = context.UserId,
        }, cancellationToken);
        return new CommandReply($"🔔 Silence on `{SlackJson.Escape(command.Matcher)}` lifted by <@{context.UserId}>.", Ephemeral: false);
    }
}

/// <summary>
/// <c>/ops killswitch engage|release &lt;scope&gt;</c> publishes nothing by itself: it answers with a
/// Confirm / Cancel pair, and only the Confirm click (by an admin, within five minutes) publishes
/// <c>KillSwitchRequested</c> (see <see cref="InteractionProcessor"/>).
/// </summary>
public sealed class KillSwitchHandler(ConfirmationTokens tokens) : ICommandHandler<KillSwitchCommand>
{
    public const string ConfirmActionId = "opsbot_killswitch_confirm";
    public const string CancelActionId = "opsbot_killswitch_cancel";

    public Task<CommandReply> HandleAsync(KillSwitchCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        var verb = command.Engage ? "ENGAGE" : "RELEASE";
        var scope = SlackJson.Escape(command.Scope);
        var question = $"⚠️ {verb} the kill switch for *{scope}*? This is published to the trading systems.";
        var token = tokens.Issue(command.Engage, command.Scope, context.UserId, context.CorrelationId);
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "section", ["text"] = SlackJson.Markdown(question) },
            new JsonObject
            {
                ["type"] = "actions",
                ["block_id"] = "opsbot_killswitch_confirmation",
                ["elements"] = new JsonArray
                {
                    new JsonObject { ["type"] = "button", ["text"] = SlackJson.PlainText($"Confirm {verb.ToLowerInvariant()} {command.Scope}"), ["style"] = "danger", ["action_id"] = ConfirmActionId, ["value"] = token },
                    new JsonObject { ["type"] = "button", ["text"] = SlackJson.PlainText("Cancel"), ["action_id"] = CancelActionId, ["value"] = "cancel" },
                },
            },
        };
        return Task.FromResult(new CommandReply(question, blocks));
    }
}

/// <summary>Publishing with a deadline, so a broker outage becomes an answer ("not published, try again") rather than a hang.</summary>
public static class BusPublish
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task WithTimeoutAsync<T>(IBus bus, T message, CancellationToken cancellationToken) where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await bus.Publish(message, timeout.Token);
    }
}
