using OpsBot.Bot.Incidents;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Incidents;

/// <summary>
/// Redis (a redis-server of this test's own) stopped under a running ops-bot: an event that arrives meanwhile cannot be
/// applied to the incident view, waits in <c>ops-bot-incidents_delay_&lt;n&gt;</c> on the broker, and is applied when
/// Redis is back: the view loses nothing. /ops alerts says "incidents unavailable" meanwhile (IncidentTests).
/// </summary>
public sealed class IncidentRedisOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly DedicatedInfra _infra = new(ownRabbitMq: false); // it stops Redis only
    private BrokerListener? _broker;
    private BotHost? _bot;

    public Task InitializeAsync() => _infra.InitializeAsync();

    public async Task DisposeAsync()
    {
        if (_bot is not null) await _bot.DisposeAsync();
        if (_broker is not null) await _broker.DisposeAsync();
        await _infra.DisposeAsync();
    }

    [Fact]
    public async Task An_event_that_arrives_while_Redis_is_down_is_applied_when_Redis_is_back()
    {
        _broker = await BrokerListener.StartAsync(_infra.RabbitMqUrl);
        var settings = BotHost.Settings(null, ("RABBITMQ_URL", _infra.RabbitMqUrl), ("REDIS_URL", _infra.RedisUrl), ("OPS_REDIS_PREFIX", $"test:{Guid.NewGuid():N}:"));
        _bot = await BotHost.StartAsync(settings);
        var view = _bot.Get<IncidentView>();

        await _broker.PublishAsync(Raised("pnl-loss:acct-1:before"));
        await WaitOpenAsync(view, "pnl-loss:acct-1:before");

        await _infra.StopRedisAsync();
        await _broker.PublishAsync(Raised("pnl-loss:acct-1:during"));
        // the bot could not apply it and parked it on the broker to be tried again
        await WaitForLogAsync(_bot, l => l.Contains("AlertRaised", StringComparison.Ordinal) && l.Contains("failed on ops-bot-incidents", StringComparison.Ordinal) && l.Contains("ops-bot-incidents_delay_1", StringComparison.Ordinal));
        await Assert.ThrowsAsync<IncidentViewUnavailableException>(() => view.FindAsync("pnl-loss:acct-1:during"));

        await _infra.StartRedisAsync();
        var during = await WaitOpenAsync(view, "pnl-loss:acct-1:during");
        Assert.Equal(1, during.Count);
        // (the incident from before is not checked: this test's redis-server keeps nothing on disk, so its restart empties it)
    }

    private static async Task<Incident> WaitOpenAsync(IncidentView view, string key)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await view.FindAsync(key) is { IsOpen: true } incident) return incident;
            }
            catch (IncidentViewUnavailableException) { } // Redis still coming back
            await Task.Delay(100);
        }
        throw new TimeoutException($"no open incident {key} within {Deadline.TotalSeconds} s");
    }

    private static async Task WaitForLogAsync(BotHost bot, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            if (bot.Logs.Lines().Any(match)) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("the expected log line never came:\n" + string.Join('\n', bot.Logs.Lines().TakeLast(20)));
    }

    private static AlertRaised Raised(string key) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        AlertId = Guid.NewGuid(),
        Severity = AlertSeverity.Critical,
        Title = "PnL loss",
        Text = "PnL loss (test)",
        DedupKey = key,
        Source = "risk-evaluator",
    };
}
