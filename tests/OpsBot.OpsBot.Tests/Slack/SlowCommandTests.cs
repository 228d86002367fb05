using System.Text.Json.Nodes;
using OpsBot.Bot.Commands;
using OpsBot.Bot.SocketMode;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Slack;

/// <summary>A slow command is acknowledged without its answer and answered through the response_url, and never holds up a fast one.</summary>
[Collection(InfraFixture.Collection)]
public sealed class SlowCommandTests(InfraFixture infra)
{
    [Fact]
    public async Task A_slow_command_does_not_delay_a_fast_one()
    {
        var vhost = await infra.CreateVirtualHostAsync();
        await using var slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        var release = new TaskCompletionSource();
        await using var bot = await BotHost.StartAsync(
            BotHost.OnInfra(BotHost.Settings(slack, ("OPS_INLINE_ANSWER_MS", "2000")), infra, vhost),
            services => services.AddSingleton<ICommandHandler<PnlCommand>>(new SlowPnlHandler(release.Task)),
            trust: slack);
        await slack.WaitForConnectionsAsync(1, TimeSpan.FromSeconds(30));

        var slowId = await slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("pnl", "U1", slack.ResponseUrl("slow")));
        var fastId = await slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("help", "U2", slack.ResponseUrl("fast")));

        var fast = await slack.WaitForAckAsync(fastId, TimeSpan.FromSeconds(30));
        // The slow handler is blocked until the test releases it, so the fast one answered inside its own
        // ack proves it was not held up (no wall-clock bound: the shape of the acks is the proof).
        Assert.NotNull(fast.Payload);

        var slow = await slack.WaitForAckAsync(slowId, TimeSpan.FromSeconds(30));
        Assert.Null(slow.Payload); // acknowledged empty once OPS_INLINE_ANSWER_MS ran out, the handler still blocked
        Assert.Empty(slack.Responses);

        release.SetResult();
        var late = await slack.WaitForCallAsync(c => c.Path == "/response/slow", TimeSpan.FromSeconds(10));
        Assert.Equal("slow answer", late.Body?["text"]?.GetValue<string>());
    }

    private sealed class SlowPnlHandler(Task release) : ICommandHandler<PnlCommand>
    {
        public async Task<CommandReply> HandleAsync(PnlCommand command, CommandContext context, CancellationToken cancellationToken)
        {
            await release.WaitAsync(cancellationToken);
            return new CommandReply("slow answer");
        }
    }
}
