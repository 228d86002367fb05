using System.Text.Json;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.Notifier.Consumers;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Pipeline;
using StackExchange.Redis;

namespace OpsBot.Notifier.Routing;

/// <summary>
/// Inhibition (<see cref="InhibitRule"/>), kept in Redis so that it holds across replicas and restarts, and losing nothing:
/// <list type="bullet">
/// <item>Per rule and per value of its <c>equal</c> labels (say account <c>A</c>, strategy <c>S</c>), a set of the open
/// incidents that match the rule's source (<c>…:sources</c>) and a hash of the alerts held back (<c>…:held</c>).</item>
/// <item>An alert that matches the source joins the set once it was shown (<see cref="ObserveAsync"/>); the same key arriving
/// no longer matching (a critical loss back to a warning) or resolved (<see cref="ResolvedAsync"/>) leaves it.</item>
/// <item>An alert that matches the target is held back while the set has a member whose incident is still open
/// (<see cref="HoldBackAsync"/>): it is stored, not posted. Holding checks the set and stores the alert in one Lua script,
/// and releasing empties the set and takes the held alerts in one script, so a resolution racing a warning cannot strand it.</item>
/// <item>When the last source leaves, the held alerts are sent again to the notifier's queues (not published: other
/// consumers of <c>AlertRaised</c> saw them already) and delivered like any alert; a held alert resolved meanwhile is dropped.
/// A held alert leaves Redis only after the broker confirmed its send (straight on the bus, not through the consume
/// context's outbox): if this process dies in between, or the broker refuses, the next release sends it again, and
/// dedup (same <c>AlertId</c>) keeps a second copy from being shown.</item>
/// <item>Redis unreachable: nothing is held back (an alert too many beats an alert lost); logged once.</item>
/// </list>
/// </summary>
public sealed class InhibitionStage(
    IConnectionMultiplexer redis,
    NotifierOptions options,
    IncidentStore incidents,
    IBus bus,
    ILogger<InhibitionStage> logger)
{
    // KEYS: sources, held. ARGV: identity, alert json, ttl ms. Held (1) only while another incident is in the set.
    private const string HoldScript = """
        if redis.call('SCARD', KEYS[1]) == 0 then return 0 end
        if redis.call('SCARD', KEYS[1]) == 1 and redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        return 1
        """;

    // KEYS: sources, held. ARGV: identities leaving the set. Returns the held alerts (field, value, …) when the set is
    // empty now; they stay until each one's send is confirmed (SentScript).
    private const string ReleaseScript = """
        for i = 1, #ARGV do redis.call('SREM', KEYS[1], ARGV[i]) end
        if redis.call('SCARD', KEYS[1]) > 0 then return {} end
        return redis.call('HGETALL', KEYS[2])
        """;

    // KEYS: held. ARGV: identity, the value sent. Removes it unless a newer hold replaced it meanwhile.
    private const string SentScript = "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private int _degraded;

    /// <summary>True when <paramref name="alert"/> is held back (stored, to be sent when the inhibiting incidents resolve).</summary>
    public async Task<bool> HoldBackAsync(AlertRaised alert)
    {
        var rules = options.Routing.InhibitRules;
        if (rules.Count == 0 || !redis.IsConnected) return false;
        var identity = DedupStage.IdentityOf(alert);
        try
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var rule = rules[i];
                if (!rule.Target.Matches(alert) || rule.Source.Matches(alert) || KeysOf(i, rule, alert.Labels) is not { } keys) continue;
                var sources = await OpenSourcesAsync(rule, keys, identity);
                if (sources.Count == 0) continue;
                var held = (long)await redis.GetDatabase().ScriptEvaluateAsync(HoldScript, [keys.Sources, keys.Held],
                    [identity, JsonSerializer.Serialize(alert, Json), (long)options.Incidents.OpenTtl.TotalMilliseconds]);
                if (held == 1)
                {
                    logger.LogInformation("Alert {DedupKey} ({Severity}) held back: open incident {Sources} of the same {Equal} ({Rule}); it is sent when that resolves",
                        alert.DedupKey, alert.Severity, string.Join(", ", sources), string.Join("/", rule.Equal.Select(l => alert.Labels[l])), rule);
                    return true;
                }
            }
            Restored();
            return false;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Degraded(e.GetType().Name);
            return false;
        }
    }

    /// <summary>
    /// Once <paramref name="alert"/>'s incident is open: it joins the sources of the rules it matches, and leaves those it no
    /// longer matches (releasing what they held). A release that fails is logged; the held alerts stay for the next one.
    /// </summary>
    public async Task ObserveAsync(AlertRaised alert)
    {
        var rules = options.Routing.InhibitRules;
        if (rules.Count == 0 || !redis.IsConnected) return;
        var identity = DedupStage.IdentityOf(alert);
        try
        {
            for (var i = 0; i < rules.Count; i++)
            {
                if (KeysOf(i, rules[i], alert.Labels) is not { } keys) continue;
                if (rules[i].Source.Matches(alert))
                {
                    var db = redis.GetDatabase();
                    await db.SetAddAsync(keys.Sources, identity);
                    await db.KeyExpireAsync(keys.Sources, options.Incidents.OpenTtl);
                }
                else
                {
                    await ReleaseAsync(keys, [identity], CancellationToken.None);
                }
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Degraded(e.GetType().Name);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The broker refused a held alert: it stays in Redis and goes with the next release; this alert is not held up by it.
            logger.LogWarning("Held-back alerts of {DedupKey}'s strategy could not be sent yet ({Error}); they stay held and are sent with the next release", alert.DedupKey, e.Message);
        }
    }

    /// <summary>
    /// An incident resolved: it leaves the sources (releasing what it held, if it was the last), and if it was held itself it
    /// is dropped. A send the broker refuses throws, so the bus tries the resolution again and the release with it.
    /// </summary>
    public async Task ResolvedAsync(AlertResolved resolved, CancellationToken cancellationToken)
    {
        var rules = options.Routing.InhibitRules;
        if (rules.Count == 0 || !redis.IsConnected) return;
        var identity = DedupStage.IdentityOf(resolved.DedupKey);
        try
        {
            for (var i = 0; i < rules.Count; i++)
            {
                if (KeysOf(i, rules[i], resolved.Labels) is not { } keys) continue;
                await redis.GetDatabase().HashDeleteAsync(keys.Held, identity);
                await ReleaseAsync(keys, [identity], cancellationToken);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Degraded(e.GetType().Name);
        }
    }

    /// <summary>The set's members whose incident is still open and matches the source; the others leave it (an incident that expired, or resolved without a word to us).</summary>
    private async Task<List<string>> OpenSourcesAsync(InhibitRule rule, RuleKeys keys, string identity)
    {
        var open = new List<string>();
        var stale = new List<RedisValue>();
        foreach (var member in await redis.GetDatabase().SetMembersAsync(keys.Sources))
        {
            var key = member.ToString();
            if (key == identity) continue;
            var incident = await incidents.GetAsync(key);
            if (incident is { Open: true } && rule.Source.Matches(incident.Severity, incident.LastAlert.Source, incident.LastAlert.Labels)) open.Add(key);
            else stale.Add(member);
        }
        if (stale.Count > 0 && open.Count == 0) await ReleaseAsync(keys, [.. stale], CancellationToken.None);
        else if (stale.Count > 0) await redis.GetDatabase().SetRemoveAsync(keys.Sources, stale.ToArray());
        return open;
    }

    private async Task ReleaseAsync(RuleKeys keys, RedisValue[] leaving, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var held = (RedisResult[]?)await db.ScriptEvaluateAsync(ReleaseScript, [keys.Sources, keys.Held], leaving) ?? [];
        for (var i = 0; i + 1 < held.Length; i += 2)
        {
            var (field, json) = (held[i].ToString(), held[i + 1].ToString());
            AlertRaised? alert = null;
            try { alert = JsonSerializer.Deserialize<AlertRaised>(json, Json); }
            catch (JsonException e) { logger.LogWarning("A held-back alert stored as {Field} is unreadable ({Error}); dropped", field, e.Message); }
            if (alert is not null)
            {
                logger.LogInformation("Alert {DedupKey} ({Severity}) no longer held back: the incidents that held it resolved; sending it now", alert.DedupKey, alert.Severity);
                if (options.Slack is not null) await (await bus.GetSendEndpoint(new Uri($"queue:{SlackAlertConsumer.Queue}"))).Send(alert, cancellationToken);
                if (options.Teams is not null) await (await bus.GetSendEndpoint(new Uri($"queue:{TeamsAlertConsumer.Queue}"))).Send(alert, cancellationToken);
            }
            await db.ScriptEvaluateAsync(SentScript, [keys.Held], [field, json]);
        }
    }

    private sealed record RuleKeys(string Sources, string Held);

    /// <summary>The rule's keys for these labels' values; null when a label of <c>equal</c> is missing (the rule does not apply).</summary>
    private RuleKeys? KeysOf(int index, InhibitRule rule, IReadOnlyDictionary<string, string> labels)
    {
        var values = new List<string>(rule.Equal.Count);
        foreach (var name in rule.Equal)
        {
            if (!labels.TryGetValue(name, out var value)) return null;
            values.Add(value);
        }
        var scope = DedupStage.IdentityOf(string.Join("\u001f", values));
        var prefix = $"{options.KeyPrefix}inhibit:{index}:{scope}";
        return new RuleKeys($"{prefix}:sources", $"{prefix}:held");
    }

    private void Degraded(string why)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
            logger.LogWarning("Inhibition is off while Redis is unreachable ({Why}): alerts it would hold back are sent", why);
    }

    private void Restored()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1) logger.LogInformation("Inhibition works again (Redis is back)");
    }
}
