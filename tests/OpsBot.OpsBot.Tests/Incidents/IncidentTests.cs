using System.Text.Json.Nodes;
using OpsBot.Bot.Incidents;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Incidents;

/// <summary>
/// Issue 14, item 8: ops-bot's incident view, fed only by bus events on the real broker and kept in the real Redis, and
/// the commands on it: <c>/ops alerts</c>, <c>/ops ack KEY</c>, <c>/ops resolve KEY [reason]</c>. Events are published by
/// <see cref="BrokerListener"/> as the risk-evaluator and the notifier would; what the bot publishes is read there too.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class IncidentTests(InfraFixture infra) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
    private readonly List<BotHost> _bots = [];
    private FakeSlackPlatform _slack = null!;
    private BrokerListener _broker = null!;
    private string _vhost = "";

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        _vhost = await infra.CreateVirtualHostAsync();
        _broker = await BrokerListener.StartAsync(_vhost);
    }

    public async Task DisposeAsync()
    {
        foreach (var bot in _bots) await bot.DisposeAsync();
        await _slack.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private async Task<BotHost> StartBotAsync(bool redis = true)
    {
        var settings = BotHost.OnInfra(BotHost.Settings(_slack, ("OPS_INLINE_ANSWER_MS", "2500")), infra, _vhost, _prefix);
        if (!redis) settings["REDIS_URL"] = BotHost.NoRedis;
        var connections = _slack.ConnectionCount;
        var bot = await BotHost.StartAsync(settings, trust: _slack);
        _bots.Add(bot);
        await _slack.WaitForConnectionsAsync(connections + 1, Deadline);
        return bot;
    }

    [Fact]
    public async Task Raised_then_acknowledged_then_resolved_then_raised_again_opens_a_new_incident()
    {
        var bot = await StartBotAsync();
        var view = bot.Get<IncidentView>();
        const string key = "pnl-loss:acct-1:momentum";

        await _broker.PublishAsync(Raised(key, AlertSeverity.Warning, _t0, title: "PnL loss on momentum"));
        var opened = await WaitForAsync(view, key, i => i.IsOpen);
        Assert.Equal(AlertSeverity.Warning, opened.Severity);

        // a worse repeat: the worst severity stays, last seen and the count move; a delivery says where the message is
        var second = Raised(key, AlertSeverity.Critical, _t0.AddSeconds(5), title: "PnL loss on momentum (critical)");
        await _broker.PublishAsync(second);
        await _broker.PublishAsync(Delivered(key, second.AlertId, "C0ALERTS", "1700000000.000100", _t0.AddSeconds(6)));
        var updated = await WaitForAsync(view, key, i => i.Count == 2 && i.MessageTs is not null);
        Assert.Equal(opened.Id, updated.Id);
        Assert.Equal(AlertSeverity.Critical, updated.Severity);
        Assert.Equal(_t0.ToUnixTimeMilliseconds(), updated.FirstSeen.ToUnixTimeMilliseconds());
        Assert.Equal(_t0.AddSeconds(5).ToUnixTimeMilliseconds(), updated.LastSeen.ToUnixTimeMilliseconds());
        Assert.Equal(("C0ALERTS", "1700000000.000100"), (updated.Channel, updated.MessageTs));

        await _broker.PublishAsync(Acknowledged(key, "UOWNER", _t0.AddSeconds(20)));
        var acked = await WaitForAsync(view, key, i => i.Status == Incident.Acknowledged);
        Assert.Equal("UOWNER", acked.AcknowledgedBy);
        Assert.Contains("acknowledged by <@UOWNER>", await CommandAsync("alerts", "UANY"));

        await _broker.PublishAsync(Resolved(key, _t0.AddSeconds(30)));
        await WaitForAsync(view, key, i => i.Status == Incident.Resolved);
        Assert.Equal("No open incidents.", await CommandAsync("alerts", "UANY"));

        await _broker.PublishAsync(Raised(key, AlertSeverity.Warning, _t0.AddSeconds(40)));
        var reopened = await WaitForAsync(view, key, i => i.IsOpen);
        Assert.NotEqual(opened.Id, reopened.Id); // a new incident: no owner, no message, count 1
        Assert.Equal((Incident.Firing, 1L, null, null), (reopened.Status, reopened.Count, reopened.AcknowledgedBy, reopened.MessageTs));
        Assert.Equal(_t0.AddSeconds(40).ToUnixTimeMilliseconds(), reopened.FirstSeen.ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// Redelivered and duplicate events change nothing: the same AlertRaised twice, an AlertRaised arriving after the
    /// AlertResolved of its incident, an old AlertResolved after a new incident opened. "Nothing changed" is read from the
    /// service: its log line for each event says what the view did with it (duplicate, late, stale).
    /// </summary>
    [Fact]
    public async Task Duplicate_and_redelivered_events_change_nothing()
    {
        var bot = await StartBotAsync();
        var view = bot.Get<IncidentView>();
        const string key = "drawdown:acct-1:momentum";

        var first = Raised(key, AlertSeverity.Warning, _t0);
        await _broker.PublishAsync(first);
        await WaitForAsync(view, key, i => i.IsOpen);
        await _broker.PublishAsync(first); // redelivered / published twice
        await WaitForOutcomeAsync(bot, "AlertRaised", key, "duplicate");
        var afterDuplicate = await view.FindAsync(key);
        Assert.Equal(1, afterDuplicate!.Count);

        var delivered = Delivered(key, first.AlertId, "C0ALERTS", "1700000000.000200", _t0.AddSeconds(1));
        await _broker.PublishAsync(delivered);
        await _broker.PublishAsync(delivered);
        await WaitForOutcomeAsync(bot, "AlertDelivered", key, "kept");
        var ack = Acknowledged(key, "UOWNER", _t0.AddSeconds(2));
        await _broker.PublishAsync(ack);
        await _broker.PublishAsync(ack);
        await WaitForOutcomeAsync(bot, "AlertAcknowledged", key, "kept");

        var resolved = Resolved(key, _t0.AddSeconds(10));
        await _broker.PublishAsync(resolved);
        var closed = await WaitForAsync(view, key, i => i.Status == Incident.Resolved);

        // the first alert again, after its incident was resolved: it does not reopen it
        await _broker.PublishAsync(first);
        await WaitForOutcomeAsync(bot, "AlertRaised", key, "duplicate", count: 2);
        // an alert of the resolved incident that was held up (raised before the resolution): late, not a new incident
        await _broker.PublishAsync(Raised(key, AlertSeverity.Critical, _t0.AddSeconds(9)));
        await WaitForOutcomeAsync(bot, "AlertRaised", key, "late");
        Assert.Equal(closed, await view.FindAsync(key));

        // a new incident, then the old resolution redelivered: it belongs to the earlier incident
        await _broker.PublishAsync(Raised(key, AlertSeverity.Warning, _t0.AddSeconds(60)));
        var reopened = await WaitForAsync(view, key, i => i.IsOpen);
        await _broker.PublishAsync(resolved);
        await WaitForOutcomeAsync(bot, "AlertResolved", key, "stale");
        // and the old acknowledgement too: the new incident stays unowned
        await _broker.PublishAsync(ack);
        await WaitForOutcomeAsync(bot, "AlertAcknowledged", key, "stale");
        Assert.Equal(reopened, await view.FindAsync(key));
    }

    /// <summary>Events may be applied out of order: a delivery seen before its alert is kept and applied when the alert arrives.</summary>
    [Fact]
    public async Task A_delivery_seen_before_its_alert_is_applied_when_the_alert_arrives()
    {
        var bot = await StartBotAsync();
        const string key = "pnl-loss:acct-3:early";
        var raised = Raised(key, AlertSeverity.Critical, _t0);
        await _broker.PublishAsync(Delivered(key, raised.AlertId, "C0ALERTS", "1700000000.000500", _t0.AddSeconds(1)));
        await WaitForOutcomeAsync(bot, "AlertDelivered", key, "pending");
        Assert.Null(await bot.Get<IncidentView>().FindAsync(key));

        await _broker.PublishAsync(raised);
        var incident = await WaitForAsync(bot.Get<IncidentView>(), key, i => i.IsOpen);
        Assert.Equal(("C0ALERTS", "1700000000.000500"), (incident.Channel, incident.MessageTs));
    }

    /// <summary>
    /// The view is in Redis and the queue feeding it is durable and shared: two replicas see the same incidents, events
    /// published while no ops-bot runs are applied by the next one, and a restarted bot answers /ops alerts as before.
    /// </summary>
    [Fact]
    public async Task Two_replicas_see_the_same_incidents_and_the_view_survives_a_restart()
    {
        var a = await StartBotAsync();
        var b = await StartBotAsync();
        const string key = "price-band:BTC-USD";

        await _broker.PublishAsync(Raised(key, AlertSeverity.Warning, _t0, title: "BTC-USD moved above its price band"));
        var seenByA = await WaitForAsync(a.Get<IncidentView>(), key, i => i.IsOpen);
        Assert.Equal(seenByA, await b.Get<IncidentView>().FindAsync(key));

        await a.DisposeAsync();
        _bots.Remove(a);
        await b.DisposeAsync();
        _bots.Remove(b);

        // no ops-bot runs: the acknowledgement waits in ops-bot-incidents
        await _broker.PublishAsync(Acknowledged(key, "UNIGHT", _t0.AddSeconds(30)));

        var c = await StartBotAsync();
        var acked = await WaitForAsync(c.Get<IncidentView>(), key, i => i.Status == Incident.Acknowledged);
        Assert.Equal((seenByA.Id, "UNIGHT"), (acked.Id, acked.AcknowledgedBy));
        var answer = await CommandAsync("alerts", "UANY");
        Assert.Contains("`price-band:BTC-USD` BTC-USD moved above its price band", answer);
        Assert.Contains("acknowledged by <@UNIGHT>", answer);
    }

    [Fact]
    public async Task Alerts_lists_open_incidents_newest_first_with_owner_and_permalink_capped_with_and_K_more()
    {
        var bot = await StartBotAsync();
        var view = bot.Get<IncidentView>();
        var total = AlertsCommandMax + 2;
        for (var i = 0; i < total; i++)
            await _broker.PublishAsync(Raised($"pnl-loss:acct-1:s{i:00}", i % 2 == 0 ? AlertSeverity.Warning : AlertSeverity.Critical, _t0.AddSeconds(i), title: $"PnL loss on s{i:00}"));
        for (var i = 0; i < total; i++) await WaitForAsync(view, $"pnl-loss:acct-1:s{i:00}", x => x.IsOpen);
        // then (a person acts after the alert) an owner for s15, and a repeat of s16 delivered to Slack
        var newest = $"pnl-loss:acct-1:s{total - 1:00}";
        var repeat = Raised(newest, AlertSeverity.Critical, _t0.AddSeconds(total + 1), title: $"PnL loss on s{total - 1:00}");
        await _broker.PublishAsync(repeat);
        await _broker.PublishAsync(Delivered(newest, repeat.AlertId, "C0ALERTS", "1700000000.000300", _t0.AddSeconds(total + 2)));
        await _broker.PublishAsync(Acknowledged("pnl-loss:acct-1:s15", "UOWNER", _t0.AddSeconds(100)));
        await WaitForAsync(view, newest, i => i.MessageTs is not null && i.Count == 2);
        await WaitForAsync(view, "pnl-loss:acct-1:s15", i => i.AcknowledgedBy == "UOWNER");

        var answer = await CommandAsync("alerts", "UANY");
        var lines = answer.Split('\n');
        Assert.Equal($"*Open incidents* ({total})", lines[0]);
        var items = lines.Where(l => l.StartsWith("• ", StringComparison.Ordinal)).ToList();
        Assert.Equal(AlertsCommandMax, items.Count);
        Assert.Equal("… and 2 more", lines[^1]);
        // newest first: s16, s15, … s02 (s01 and s00 are the "2 more")
        Assert.Equal(Enumerable.Range(2, AlertsCommandMax).Reverse().Select(i => $"`pnl-loss:acct-1:s{i:00}`").ToList(),
            items.Select(l => l.Split(' ').First(w => w.StartsWith('`'))).ToList());
        var link = _slack.PermalinkOf("C0ALERTS", "1700000000.000300");
        Assert.StartsWith("• 🔴 *CRITICAL* · firing · ", items[0]);
        Assert.EndsWith($"`{newest}` PnL loss on s16 (×2) · <{link}|message>", items[0]);
        Assert.StartsWith("• 🔴 *CRITICAL* · acknowledged by <@UOWNER> · ", items[1]);
        Assert.StartsWith("• 🟠 *WARNING* · firing · ", items[2]);
        Assert.Single(items, l => l.Contains("|message>"));

        // the link is kept in the view: a second listing does not ask Slack again
        Assert.Equal(link, (await view.FindAsync(newest))!.Permalink);
        await CommandAsync("alerts", "UANY");
        Assert.Single(_slack.Calls, c => c.Path == "/api/chat.getPermalink");
    }

    [Fact]
    public async Task When_Slack_fails_the_permalink_the_incident_is_listed_without_a_link()
    {
        var bot = await StartBotAsync();
        _slack.PermalinkStatus = 500;
        const string key = "parity:BTC-USD";
        var raised = Raised(key, AlertSeverity.Critical, _t0, title: "Parity FAIL");
        await _broker.PublishAsync(raised);
        await _broker.PublishAsync(Delivered(key, raised.AlertId, "C0ALERTS", "1700000000.000400", _t0.AddSeconds(1)));
        await WaitForAsync(bot.Get<IncidentView>(), key, i => i.MessageTs is not null);

        var answer = await CommandAsync("alerts", "UANY");

        Assert.Contains("`parity:BTC-USD` Parity FAIL", answer);
        Assert.DoesNotContain("|message>", answer);
        Assert.Contains(_slack.Calls, c => c.Path == "/api/chat.getPermalink");
        Assert.Contains(bot.Logs.Lines(), l => l.Contains("chat.getPermalink failed for 1 incident(s)"));

        // Slack is back: the next listing has the link
        _slack.PermalinkStatus = 200;
        Assert.Contains($"<{_slack.PermalinkOf("C0ALERTS", "1700000000.000400")}|message>", await CommandAsync("alerts", "UANY"));
    }

    [Fact]
    public async Task Ack_publishes_AlertAcknowledged_for_an_open_incident_and_an_unknown_or_resolved_key_gets_a_clear_answer()
    {
        var bot = await StartBotAsync();
        var view = bot.Get<IncidentView>();
        const string key = "pnl-loss:acct-2:carry";
        var raised = Raised(key, AlertSeverity.Critical, _t0);
        await _broker.PublishAsync(raised);
        await WaitForAsync(view, key, i => i.IsOpen);

        var answer = await CommandAsync($"ack {key}", "UANYONE"); // not an admin: anyone may, like the button
        Assert.Contains($"`{key}` (PnL loss) acknowledged by <@UANYONE>", answer);
        var ack = await _broker.WaitAsync<AlertAcknowledged>(m => m.AcknowledgedBy == "UANYONE");
        Assert.Equal((key, raised.AlertId, raised.CorrelationId), (ack.DedupKey, ack.AlertId, ack.CorrelationId));
        await _broker.WaitAsync<CommandAudited>(m => m.User == "UANYONE" && m.Command == $"/ops ack {key}" && m.Outcome == "allowed");
        // ...and through the bus back into the view
        Assert.Equal("UANYONE", (await WaitForAsync(view, key, i => i.Status == Incident.Acknowledged)).AcknowledgedBy);

        Assert.Equal("No open incident `nope:1`; see /ops alerts.", await CommandAsync("ack nope:1", "UANYONE"));
        await _broker.PublishAsync(Resolved(key, _t0.AddSeconds(30)));
        await WaitForAsync(view, key, i => i.Status == Incident.Resolved);
        Assert.Equal($"No open incident `{key}`; see /ops alerts.", await CommandAsync($"ack {key}", "UANYONE"));

        // sentinel: a later command's audit arrived, so any acknowledgement published before it has too
        await CommandAsync("help", "UMARKER");
        await _broker.WaitAsync<CommandAudited>(m => m.User == "UMARKER");
        Assert.Single(_broker.Received<AlertAcknowledged>());
    }

    [Fact]
    public async Task The_Acknowledge_button_carries_the_incidents_ids_from_the_shared_view_on_a_replica_that_never_saw_the_alert()
    {
        var bot = await StartBotAsync();
        var view = bot.Get<IncidentView>();
        const string key = "pnl-loss:acct-3:basis";
        var raised = Raised(key, AlertSeverity.Critical, _t0);
        await view.RaisedAsync(raised); // written as another replica's consumer writes it: this replica's cache never saw the alert

        await _slack.SendEnvelopeAsync("interactive", SlackPayloads.ButtonClick("opsbot_alert_ack", key, "U777", _slack.ResponseUrl("ack")));
        var ack = await _broker.WaitAsync<AlertAcknowledged>(m => m.DedupKey == key && m.AcknowledgedBy == "U777");
        Assert.Equal((raised.AlertId, raised.CorrelationId), (ack.AlertId, ack.CorrelationId)); // before: no alert id, a new correlation id
    }

    [Fact]
    public async Task Resolve_by_an_admin_publishes_AlertResolved_with_ResolvedBy_and_is_audited_as_allowed()
    {
        var bot = await StartBotAsync();
        var view = bot.Get<IncidentView>();
        const string key = "kill-switch:venue-a";
        var raised = Raised(key, AlertSeverity.Critical, _t0, title: "Kill switch engaged");
        await _broker.PublishAsync(raised);
        await WaitForAsync(view, key, i => i.IsOpen);

        var answer = await CommandAsync($"resolve {key} venue back,  checked <!channel>", "UADMIN1");

        var resolved = await _broker.WaitAsync<AlertResolved>(m => m.Source == "ops-bot");
        Assert.Equal((key, "UADMIN1", raised.CorrelationId), (resolved.DedupKey, resolved.ResolvedBy, resolved.CorrelationId));
        Assert.Equal("resolved by hand by <@UADMIN1>: venue back,  checked &lt;!channel&gt;", resolved.Reason);
        Assert.Equal("Kill switch engaged", resolved.Labels["title"]);
        Assert.Contains($"`{key}` (Kill switch engaged) resolved by hand by <@UADMIN1>", answer);
        await _broker.WaitAsync<CommandAudited>(m => m.User == "UADMIN1" && m.Command == $"/ops resolve {key} venue back,  checked <!channel>" && m.Outcome == "allowed");
        // the view closes it from the bus event, like any resolution
        await WaitForAsync(view, key, i => i.Status == Incident.Resolved);
        Assert.Equal("No open incidents.", await CommandAsync("alerts", "UANY"));
    }

    [Fact]
    public async Task Resolve_by_a_non_admin_is_refused_audited_and_publishes_nothing()
    {
        var bot = await StartBotAsync();
        var view = bot.Get<IncidentView>();
        await _broker.PublishAsync(Raised("pnl-loss:acct-1:refused", AlertSeverity.Critical, _t0));
        await _broker.PublishAsync(Raised("pnl-loss:acct-1:sentinel", AlertSeverity.Warning, _t0));
        await WaitForAsync(view, "pnl-loss:acct-1:refused", i => i.IsOpen);
        await WaitForAsync(view, "pnl-loss:acct-1:sentinel", i => i.IsOpen);

        var answer = await CommandAsync("resolve pnl-loss:acct-1:refused", "UINTRUDER");
        Assert.Contains("`resolve` is only for the admins listed in OPS_ADMINS", answer);
        await _broker.WaitAsync<CommandAudited>(m => m.User == "UINTRUDER" && m.Outcome == "refused" && m.Command == "/ops resolve pnl-loss:acct-1:refused");

        // positive sentinel: an allowed resolve published after the refused one arrives; the refused one never did
        await CommandAsync("resolve pnl-loss:acct-1:sentinel", "UADMIN1");
        await _broker.WaitAsync<AlertResolved>(m => m.DedupKey == "pnl-loss:acct-1:sentinel");
        Assert.DoesNotContain(_broker.Received<AlertResolved>(), m => m.DedupKey == "pnl-loss:acct-1:refused");
        Assert.True((await view.FindAsync("pnl-loss:acct-1:refused"))!.IsOpen);
    }

    [Fact]
    public async Task With_Redis_unreachable_the_commands_say_incidents_unavailable_and_publish_nothing()
    {
        await StartBotAsync(redis: false);

        var alerts = await CommandAsync("alerts", "UANY");
        Assert.StartsWith("⚠️ Incidents unavailable: Redis unreachable.", alerts);
        Assert.DoesNotContain("No open incidents", alerts);
        Assert.Contains("Nothing was published", await CommandAsync("ack pnl-loss:acct-1:momentum", "UANY"));
        Assert.Contains("Nothing was published", await CommandAsync("resolve pnl-loss:acct-1:momentum", "UADMIN1"));

        await CommandAsync("help", "UMARKER");
        await _broker.WaitAsync<CommandAudited>(m => m.User == "UMARKER");
        Assert.Empty(_broker.Received<AlertAcknowledged>());
        Assert.Empty(_broker.Received<AlertResolved>());
    }

    private const int AlertsCommandMax = global::OpsBot.Bot.Commands.AlertsHandler.MaxLines;

    /// <summary>A slash command over Socket Mode; its answer from the acknowledgement or, when it came later, the response_url.</summary>
    private async Task<string> CommandAsync(string text, string user)
    {
        var responseId = Guid.NewGuid().ToString("N");
        var id = await _slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand(text, user, _slack.ResponseUrl(responseId)));
        var ack = await _slack.WaitForAckAsync(id, Deadline);
        if (ack.Payload?["text"] is JsonValue inline) return inline.GetValue<string>();
        var late = await _slack.WaitForCallAsync(c => c.Path == $"/response/{responseId}", Deadline);
        return late.Body!["text"]!.GetValue<string>();
    }

    private static async Task<Incident> WaitForAsync(IncidentView view, string key, Func<Incident, bool> match)
    {
        var deadline = DateTime.UtcNow + Deadline;
        Incident? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await view.FindAsync(key);
            if (last is not null && match(last)) return last;
            await Task.Delay(50);
        }
        throw new TimeoutException($"incident {key} never matched; last: {last}");
    }

    /// <summary>Waits for the bot's own account of what the view did with an event (its debug line per event).</summary>
    private static async Task WaitForOutcomeAsync(BotHost bot, string @event, string key, string outcome, int count = 1)
    {
        var line = $"Incident view: {@event} for {key} → {outcome}";
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            if (bot.Logs.Lines().Count(l => l.Contains(line, StringComparison.Ordinal)) >= count) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no '{line}' (x{count}) in the bot's log");
    }

    private static AlertRaised Raised(string key, AlertSeverity severity, DateTimeOffset at, string title = "PnL loss") => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = at,
        AlertId = Guid.NewGuid(),
        Severity = severity,
        Title = title,
        Text = title + " (test)",
        DedupKey = key,
        Source = "risk-evaluator",
    };

    private static AlertDelivered Delivered(string key, Guid alertId, string channel, string ts, DateTimeOffset at) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = at,
        AlertId = alertId,
        DedupKey = key,
        Channel = DeliveryChannel.Slack,
        Destination = channel,
        MessageRef = ts,
        Attempts = 1,
    };

    private static AlertAcknowledged Acknowledged(string key, string user, DateTimeOffset at) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = at,
        DedupKey = key,
        AcknowledgedBy = user,
    };

    private static AlertResolved Resolved(string key, DateTimeOffset at) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = at,
        DedupKey = key,
        Reason = "PnL back above -1000",
        Source = "risk-evaluator",
    };
}
