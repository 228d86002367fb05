using System.Text.Json.Nodes;
using OpsBot.Bot.Commands;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;

namespace OpsBot.OpsBot.Tests.Slack;

/// <summary>Socket Mode against a local fake that hands out single-use wss URLs, sends hello, envelopes and every disconnect kind.</summary>
public sealed class SocketModeTests : IAsyncLifetime
{
    private static readonly TimeSpan SlackAckLimit = TimeSpan.FromSeconds(3);
    private FakeSlackPlatform _slack = null!;
    private BotHost _bot = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        _bot = await BotHost.StartAsync(BotHost.Settings(_slack), trust: _slack);
        await _slack.WaitForConnectionsAsync(1, TimeSpan.FromSeconds(15));
    }

    public async Task DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Connects_with_the_app_token_over_wss_and_answers_a_command_inside_the_ack()
    {
        var open = _slack.Calls.First(c => c.Path == "/api/apps.connections.open");
        Assert.Equal($"Bearer {BotHost.AppToken}", open.Authorization);

        var id = await _slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("help", "U123", _slack.ResponseUrl("help")));
        var ack = await _slack.WaitForAckAsync(id, TimeSpan.FromSeconds(10));

        Assert.True(ack.Latency < SlackAckLimit, $"acked after {ack.Latency}");
        Assert.Equal("ephemeral", ack.Payload?["response_type"]?.GetValue<string>());
        Assert.Contains("/ops killswitch engage|release <scope>", ack.Payload?["text"]?.GetValue<string>());
    }

    [Fact]
    public async Task Answers_from_events_cached_off_the_bus()
    {
        await _bot.Harness.Bus.Publish(new PnlUpdated
        {
            CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Account = "acct-1", Strategy = "momentum",
            Realized = -1500.5m, Unrealized = 250m, Currency = "USD", AsOf = DateTimeOffset.UtcNow,
        });
        Assert.True(await _bot.Harness.Consumed.Any<PnlUpdated>());

        var id = await _slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("pnl momentum", "U123", _slack.ResponseUrl("pnl")));
        var ack = await _slack.WaitForAckAsync(id, TimeSpan.FromSeconds(10));
        Assert.Contains("momentum (acct-1): total -1,250.50 USD", ack.Payload?["text"]?.GetValue<string>());
    }

    [Fact]
    public async Task Acknowledges_events_and_unknown_commands_get_an_ephemeral_usage_line()
    {
        var eventId = await _slack.SendEnvelopeAsync("events_api", new JsonObject { ["event"] = new JsonObject { ["type"] = "app_mention" } }, acceptsResponsePayload: false);
        var eventAck = await _slack.WaitForAckAsync(eventId, TimeSpan.FromSeconds(10));
        Assert.Null(eventAck.Payload);
        Assert.True(eventAck.Latency < SlackAckLimit);

        var id = await _slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("launch rockets", "U123", _slack.ResponseUrl("bad")));
        var ack = await _slack.WaitForAckAsync(id, TimeSpan.FromSeconds(10));
        Assert.Equal("ephemeral", ack.Payload?["response_type"]?.GetValue<string>());
        Assert.StartsWith("Unknown command 'launch'. Usage: /ops help", ack.Payload?["text"]?.GetValue<string>());
        await _bot.WaitPublishedAsync<CommandAudited>(m => m.Outcome == "invalid");
    }

    [Theory]
    [InlineData("warning")]
    [InlineData("refresh_requested")]
    [InlineData("link_disabled")]
    public async Task Reconnects_with_a_fresh_url_after_a_disconnect(string reason)
    {
        var ticketsBefore = _slack.TicketsIssued;
        await _slack.SendDisconnectAsync(reason);
        await _slack.WaitForConnectionsAsync(2, TimeSpan.FromSeconds(15));

        Assert.Equal(ticketsBefore + 1, _slack.TicketsIssued);
        Assert.Equal(0, _slack.RefusedTickets); // every URL used once, never reused
        var id = await _slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("help", "U123", _slack.ResponseUrl("after")));
        Assert.True((await _slack.WaitForAckAsync(id, TimeSpan.FromSeconds(10))).Latency < SlackAckLimit);
    }

    [Fact]
    public async Task Reconnects_after_a_dropped_socket_and_after_each_disconnect_kind_in_a_row()
    {
        _slack.DropConnection();
        await _slack.WaitForConnectionsAsync(2, TimeSpan.FromSeconds(15));
        var n = 2;
        foreach (var reason in new[] { "warning", "refresh_requested", "link_disabled" })
        {
            await _slack.SendDisconnectAsync(reason);
            await _slack.WaitForConnectionsAsync(++n, TimeSpan.FromSeconds(15));
        }
        _slack.DropConnection();
        await _slack.WaitForConnectionsAsync(++n, TimeSpan.FromSeconds(15));

        Assert.Equal(n, _slack.TicketsIssued);
        var id = await _slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("status", "U123", _slack.ResponseUrl("s")));
        var ack = await _slack.WaitForAckAsync(id, TimeSpan.FromSeconds(10));
        Assert.Contains("*Status*", ack.Payload?["text"]?.GetValue<string>());
        Assert.Contains("Slack Socket Mode: *connected*", ack.Payload?["text"]?.GetValue<string>());
    }
}

/// <summary>A slow command is acknowledged in time and answered through the response_url, and never holds up a fast one.</summary>
public sealed class SlowCommandTests
{
    [Fact]
    public async Task A_slow_command_does_not_delay_a_fast_one()
    {
        await using var slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        var release = new TaskCompletionSource();
        await using var bot = await BotHost.StartAsync(
            BotHost.Settings(slack, ("OPS_INLINE_ANSWER_MS", "2000")),
            services => services.AddSingleton<ICommandHandler<PnlCommand>>(new SlowPnlHandler(release.Task)),
            trust: slack);
        await slack.WaitForConnectionsAsync(1, TimeSpan.FromSeconds(15));

        var slowId = await slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("pnl", "U1", slack.ResponseUrl("slow")));
        var fastId = await slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("help", "U2", slack.ResponseUrl("fast")));

        var fast = await slack.WaitForAckAsync(fastId, TimeSpan.FromSeconds(10));
        // The slow handler is blocked until the test releases it, so the fast one answered inside its own
        // ack proves it was not held up (the bound leaves room for a busy CI machine).
        Assert.NotNull(fast.Payload);
        Assert.True(fast.Latency < TimeSpan.FromMilliseconds(2000), $"fast command acked after {fast.Latency.TotalMilliseconds} ms");

        var slow = await slack.WaitForAckAsync(slowId, TimeSpan.FromSeconds(5));
        Assert.Null(slow.Payload); // acknowledged empty, within Slack's 3 s
        Assert.True(slow.Latency < TimeSpan.FromSeconds(3), $"slow command acked after {slow.Latency}");
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
