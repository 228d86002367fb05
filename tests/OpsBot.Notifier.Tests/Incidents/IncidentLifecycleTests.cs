using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;
using StackExchange.Redis;

namespace OpsBot.Notifier.Tests.Incidents;

/// <summary>
/// The lifecycle and the reminder loop in-process: the real incident store on real Redis, a fake clock
/// (<see cref="FakeTimeProvider"/>), and channels that record what they were asked to post, edit and reply.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class IncidentLifecycleTests(InfraFixture infra) : IAsyncLifetime
{
    private const string Key = "pnl-loss:acct-1:momentum";
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
    private readonly RecordingMessages _slack = new(DeliveryChannel.Slack, canEdit: true);
    private readonly RecordingMessages _teams = new(DeliveryChannel.Teams, canEdit: false);
    private int _ts;

    private static readonly IncidentPolicy Policy = new()
    {
        ReminderInterval = TimeSpan.FromMinutes(15),
        EscalateAfter = TimeSpan.FromMinutes(5),
        OncallUsergroup = "S0ONCALL",
        EscalationChannel = "C0ESCALATE",
    };

    [Fact]
    public async Task First_alert_posts_a_repeat_edits_a_severity_change_edits_and_replies_resolution_edits_and_replies_and_firing_again_opens_a_new_message()
    {
        var (lifecycle, store, _) = Build(infra.Redis);

        var first = await DeliverAsync(lifecycle, DeliveryChannel.Slack, Alert(AlertSeverity.Warning));
        Assert.Equal(MessageAction.Post, first.Action);
        Assert.Equal(MessageAction.Post, (await DeliverAsync(lifecycle, DeliveryChannel.Teams, first.Alert)).Action);
        var incident = await store.GetAsync(Key);
        Assert.Equal("ts-1", incident!.MessageOn("slack")!.Ts);
        Assert.Equal(1, incident.Count); // both channels saw one alert

        _time.Advance(TimeSpan.FromMinutes(1));
        var repeat = Alert(AlertSeverity.Warning);
        Assert.Equal(MessageAction.Update, (await DeliverAsync(lifecycle, DeliveryChannel.Slack, repeat)).Action);
        Assert.Equal(MessageAction.Quiet, (await DeliverAsync(lifecycle, DeliveryChannel.Teams, repeat)).Action); // Teams cannot edit
        Assert.Equal(("update", "ts-1"), (_slack.Calls.Last().Kind, _slack.Calls.Last().Ts));
        Assert.Equal(2, _slack.Calls.Last().Count);

        var critical = Alert(AlertSeverity.Critical);
        Assert.Equal(MessageAction.SeverityChanged, (await DeliverAsync(lifecycle, DeliveryChannel.Slack, critical)).Action);
        Assert.Equal(MessageAction.SeverityChanged, (await DeliverAsync(lifecycle, DeliveryChannel.Teams, critical)).Action);
        Assert.Equal(["post", "update", "update", "reply"], _slack.Calls.Select(c => c.Kind));
        Assert.All(_slack.Calls.Skip(1), c => Assert.Equal("ts-1", c.Ts)); // one message, its thread
        Assert.Contains("Severity raised to CRITICAL (was WARNING)", _slack.Calls.Last().Text);
        Assert.Contains("Severity raised to CRITICAL", _teams.Calls.Last().Text); // a follow-up card
        Assert.Equal(AlertSeverity.Critical, (await store.GetAsync(Key))!.MessageOn("slack")!.ShownSeverity);

        _time.Advance(TimeSpan.FromMinutes(2));
        await lifecycle.ResolveAsync(Resolution(), default);
        Assert.Equal(("update", IncidentStatus.Resolved), (_slack.Calls[^2].Kind, _slack.Calls[^2].Status));
        Assert.Equal("reply", _slack.Calls[^1].Kind);
        Assert.Contains("✅ Resolved after 3 min `pnl-loss:acct-1:momentum`: PnL back above -1000", _slack.Calls[^1].Text);
        Assert.Equal("reply", _teams.Calls[^1].Kind);
        Assert.Contains("✅ Resolved", _teams.Calls[^1].Text);
        var count = _slack.Calls.Count;
        await lifecycle.ResolveAsync(Resolution(), default); // a redelivered resolution shows nothing twice
        Assert.Equal(count, _slack.Calls.Count);

        var again = await DeliverAsync(lifecycle, DeliveryChannel.Slack, Alert(AlertSeverity.Warning));
        Assert.Equal(MessageAction.Post, again.Action);
        var reopened = await store.GetAsync(Key);
        Assert.NotEqual(incident.Id, reopened!.Id);
        Assert.Equal("ts-2", reopened.MessageOn("slack")!.Ts);
        Assert.True(await infra.Redis.GetDatabase().KeyTimeToLiveAsync(_prefix + "incident:" + Key) is { } ttl && ttl <= Policy.OpenTtl, "every incident key expires");
    }

    [Fact]
    public async Task Reminders_come_every_interval_escalation_once_and_an_acknowledgement_stops_both_but_a_worse_severity_still_notifies()
    {
        var (lifecycle, store, reminders) = Build(infra.Redis);
        await DeliverAsync(lifecycle, DeliveryChannel.Slack, Alert(AlertSeverity.Critical)); // ts-1, critical from the start
        await DeliverAsync(lifecycle, DeliveryChannel.Slack, Alert(AlertSeverity.Warning, "band:BTC-USD")); // ts-2, a warning

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await reminders.RunOnceAsync(default));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await reminders.RunOnceAsync(default)); // escalation at 5 min
        Assert.Contains(_slack.Calls, c => c is { Kind: "reply", Ts: "ts-1" } && c.Text.Contains("<!subteam^S0ONCALL>") && c.Text.Contains("CRITICAL for 5 min"));
        Assert.Contains(_slack.Calls, c => c is { Kind: "note", Destination: "C0ESCALATE" } && c.Text.Contains("<!subteam^S0ONCALL>"));
        Assert.Equal(0, await reminders.RunOnceAsync(default)); // once

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(2, await reminders.RunOnceAsync(default)); // 15 min: a reminder on each, in its thread
        Assert.Contains(_slack.Calls, c => c is { Kind: "reply", Ts: "ts-2" } && c.Text.StartsWith("⏰ Reminder"));
        Assert.Equal(1, _slack.Calls.Count(c => c.Ts == "ts-1" && c.Text.Contains("Escalation")));
        Assert.DoesNotContain(_slack.Calls, c => c.Kind == "post" && c.Ts != null && c.Ts != "ts-1" && c.Ts != "ts-2"); // never a new top-level message

        await lifecycle.AcknowledgeAsync(Ack("band:BTC-USD", "U42"), default);
        Assert.Equal(("update", IncidentStatus.Acknowledged, "ts-2"), (_slack.Calls[^1].Kind, _slack.Calls[^1].Status, _slack.Calls[^1].Ts));
        Assert.Equal("U42", (await store.GetAsync("band:BTC-USD"))!.AcknowledgedBy);

        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(1, await reminders.RunOnceAsync(default)); // the unacknowledged one only
        Assert.Single(_slack.Calls, c => c.Ts == "ts-2" && c.Text.StartsWith("⏰ Reminder"));

        var worse = await DeliverAsync(lifecycle, DeliveryChannel.Slack, Alert(AlertSeverity.Critical, "band:BTC-USD"));
        Assert.Equal(MessageAction.SeverityChanged, worse.Action);
        Assert.Contains(_slack.Calls, c => c is { Kind: "reply", Ts: "ts-2" } && c.Text.Contains("Severity raised to CRITICAL") && c.Text.Contains("<@U42>"));
        _time.Advance(TimeSpan.FromHours(1));
        var before = _slack.Calls.Count(c => c.Ts == "ts-2");
        await reminders.RunOnceAsync(default);
        Assert.Equal(before, _slack.Calls.Count(c => c.Ts == "ts-2")); // still theirs: no reminder, no escalation
    }

    [Fact]
    public async Task Two_replicas_sharing_redis_send_each_reminder_and_escalation_once()
    {
        var (a, _, remindersA) = Build(infra.Redis);
        var (_, _, remindersB) = Build(infra.Redis);
        for (var i = 0; i < 10; i++) await DeliverAsync(a, DeliveryChannel.Slack, Alert(AlertSeverity.Critical, $"replica:{i}"));
        _time.Advance(TimeSpan.FromMinutes(15));
        var sent = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => (i % 2 == 0 ? remindersA : remindersB).RunOnceAsync(default)));
        Assert.Equal(20, sent.Sum()); // ten reminders and ten escalations, whichever replica won each
        Assert.Equal(10, _slack.Calls.Count(c => c.Text.StartsWith("⏰ Reminder")));
        Assert.Equal(10, _slack.Calls.Count(c => c.Kind == "note"));
    }

    [Fact]
    public async Task An_acknowledgement_by_someone_not_in_the_ack_users_is_refused_and_the_incident_stays_firing()
    {
        var (lifecycle, store, _) = Build(infra.Redis, Policy with { AckUsers = new HashSet<string> { "U1" } });
        await DeliverAsync(lifecycle, DeliveryChannel.Slack, Alert(AlertSeverity.Critical));
        await lifecycle.AcknowledgeAsync(Ack(Key, "U2"), default);
        Assert.Equal(IncidentStatus.Firing, (await store.GetAsync(Key))!.Status);
        await lifecycle.AcknowledgeAsync(Ack(Key, "U1"), default);
        Assert.Equal(IncidentStatus.Acknowledged, (await store.GetAsync(Key))!.Status);
    }

    [Fact]
    public async Task With_redis_unreachable_every_alert_is_posted_and_a_resolution_is_posted_as_a_note()
    {
        await using var down = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{ServiceProcess.FreePort()},abortConnect=false,connectTimeout=200");
        var (lifecycle, _, reminders) = Build(down);
        Assert.Equal(MessageAction.Post, (await DeliverAsync(lifecycle, DeliveryChannel.Slack, Alert(AlertSeverity.Warning))).Action);
        Assert.Equal(MessageAction.Post, (await DeliverAsync(lifecycle, DeliveryChannel.Slack, Alert(AlertSeverity.Warning))).Action); // not an edit: nothing to edit
        await lifecycle.ResolveAsync(Resolution(), default);
        Assert.Contains(_slack.Calls, c => c.Kind == "note" && c.Text.Contains("Resolved") && c.Text.Contains(Key));
        Assert.Contains(_teams.Calls, c => c.Kind == "note" && c.Text.Contains("Resolved"));
        Assert.Equal(0, await reminders.RunOnceAsync(default));
    }

    private (IncidentLifecycle, IncidentStore, IncidentReminders) Build(IConnectionMultiplexer redis, IncidentPolicy? policy = null)
    {
        policy ??= Policy;
        var options = new NotifierOptions(true, null) { KeyPrefix = _prefix, Incidents = policy };
        var metrics = new NotifierMetrics();
        var store = new IncidentStore(redis, options, policy);
        var dedup = new DedupStage(redis, options, new LocalDedupCache(100, _time), metrics, NullLogger<DedupStage>.Instance);
        var lifecycle = new IncidentLifecycle(store, policy, [_slack, _teams], dedup, _time, metrics, NullLogger<IncidentLifecycle>.Instance);
        return (lifecycle, store, new IncidentReminders(store, lifecycle, _time, metrics, NullLogger<IncidentReminders>.Instance));
    }

    /// <summary>What a channel's pipeline does with an alert after dedup: the first post (a fake ts), or the lifecycle's edit.</summary>
    private async Task<IncidentStep> DeliverAsync(IncidentLifecycle lifecycle, DeliveryChannel channel, AlertRaised alert)
    {
        var step = await lifecycle.BeginAsync(channel, alert, alert.AlertId.ToString("N"), default);
        var messages = channel == DeliveryChannel.Slack ? _slack : _teams;
        if (step.Action == MessageAction.Post)
        {
            var ts = channel == DeliveryChannel.Slack ? $"ts-{Interlocked.Increment(ref _ts)}" : "posted";
            messages.Calls.Add(new Call("post", IncidentStatus.Firing, ts, null, alert.Title, 1));
            await lifecycle.PostedAsync(step, "C0ALERTS", new DeliveryReceipt(ts, 1, 1, _time.GetUtcNow()), default);
        }
        else if (step.Action is MessageAction.Update or MessageAction.SeverityChanged)
        {
            await lifecycle.ApplyAsync(step, default);
        }
        return step;
    }

    private AlertRaised Alert(AlertSeverity severity, string key = Key) => TestBus.Alert(key, severity: severity) with { Timestamp = _time.GetUtcNow() };

    private AlertResolved Resolution() => new()
    {
        CorrelationId = Guid.NewGuid(), Timestamp = _time.GetUtcNow(), DedupKey = Key, Reason = "PnL back above -1000", Source = "risk-evaluator",
    };

    private AlertAcknowledged Ack(string key, string user) => new() { CorrelationId = Guid.NewGuid(), Timestamp = _time.GetUtcNow(), DedupKey = key, AcknowledgedBy = user };

    public sealed record Call(string Kind, IncidentStatus Status, string? Ts, string? Destination, string Text, int Count);

    private sealed class RecordingMessages(DeliveryChannel channel, bool canEdit) : IIncidentMessages
    {
        private readonly object _gate = new();
        private readonly List<Call> _calls = [];

        public SynchronizedCalls Calls => new(this);
        public DeliveryChannel Channel => channel;
        public bool CanEdit => canEdit;

        public Task<DeliveryReceipt> UpdateAsync(Incident incident, IncidentMessage message, CancellationToken cancellationToken) =>
            Record(new Call("update", incident.Status, message.Ts, null, "", incident.Count));

        public Task<DeliveryReceipt> ReplyAsync(Incident incident, IncidentMessage message, IncidentNote note, CancellationToken cancellationToken) =>
            Record(new Call("reply", incident.Status, message.Ts, null, note.Text, incident.Count));

        public Task<DeliveryReceipt> NoteAsync(string? destination, IncidentNote note, CancellationToken cancellationToken) =>
            Record(new Call("note", IncidentStatus.Firing, null, destination, note.Text, 0));

        private Task<DeliveryReceipt> Record(Call call)
        {
            lock (_gate) _calls.Add(call);
            return Task.FromResult(new DeliveryReceipt(call.Ts, 1, 1, DateTimeOffset.UtcNow));
        }

        public readonly struct SynchronizedCalls(RecordingMessages owner) : IEnumerable<Call>
        {
            public void Add(Call call) { lock (owner._gate) owner._calls.Add(call); }
            public int Count { get { lock (owner._gate) return owner._calls.Count; } }
            public Call this[Index i] { get { lock (owner._gate) return owner._calls[i]; } }
            public IEnumerator<Call> GetEnumerator() { lock (owner._gate) return owner._calls.ToList().GetEnumerator(); }
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var key in infra.Redis.GetServers().First().Keys(pattern: _prefix + "*")) await infra.Redis.GetDatabase().KeyDeleteAsync(key);
    }
}
