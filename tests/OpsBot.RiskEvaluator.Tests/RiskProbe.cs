using System.Collections.Concurrent;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;
using StackExchange.Redis;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>
/// The test's own MassTransit bus on a test's virtual host: publishes PnlUpdated and TickerReceived as pnl-ingest
/// and market-feed do, records every AlertRaised and PriceBandUpdated risk-evaluator publishes, and reads the
/// risk state risk-evaluator keeps in Redis.
/// </summary>
public sealed class RiskProbe : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private RiskProbe(IBusControl bus) => _bus = bus;

    public ConcurrentQueue<AlertRaised> Alerts { get; } = new();
    public ConcurrentQueue<PriceBandUpdated> Bands { get; } = new();
    public ConcurrentQueue<AlertResolved> Resolutions { get; } = new();

    public static async Task<RiskProbe> StartAsync(string rabbitUrl)
    {
        var address = RabbitMqAddress.Parse(rabbitUrl);
        RiskProbe? self = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
            {
                h.Username(address.Username);
                h.Password(address.Password);
                h.PublisherConfirmation = true;
            });
            cfg.ReceiveEndpoint("risk-test-observer", e =>
            {
                e.Handler<AlertRaised>(ctx => { self!.Alerts.Enqueue(ctx.Message); return Task.CompletedTask; });
                e.Handler<PriceBandUpdated>(ctx => { self!.Bands.Enqueue(ctx.Message); return Task.CompletedTask; });
                e.Handler<AlertResolved>(ctx => { self!.Resolutions.Enqueue(ctx.Message); return Task.CompletedTask; });
            });
        });
        self = new RiskProbe(bus);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(cts.Token);
        return self;
    }

    public Task Publish<T>(T message) where T : class => _bus.Publish(message);

    public int Count(string dedupKey) => Alerts.Count(a => a.DedupKey == dedupKey);

    public int Count(string dedupKey, AlertSeverity severity) => Alerts.Count(a => a.DedupKey == dedupKey && a.Severity == severity);

    public int ResolvedCount(string dedupKey) => Resolutions.Count(a => a.DedupKey == dedupKey);

    /// <summary>Waits until an alert of <paramref name="dedupKey"/> with <paramref name="severity"/> arrived.</summary>
    public async Task<AlertRaised> WaitForAsync(string dedupKey, AlertSeverity severity, IEnumerable<ServiceProcess>? logsOf = null)
    {
        await Until(() => Count(dedupKey, severity) > 0, () => $"no {severity} alert {dedupKey}; got [{string.Join(", ", Alerts.Select(a => $"{a.DedupKey} {a.Severity}"))}]" +
            string.Concat((logsOf ?? []).SelectMany(s => s.Output.TakeLast(20).Select(l => $"\n{s.Name}: {l}"))));
        return Alerts.First(a => a.DedupKey == dedupKey && a.Severity == severity);
    }

    /// <summary>Waits until a resolution of <paramref name="dedupKey"/> arrived.</summary>
    public async Task<AlertResolved> WaitForResolvedAsync(string dedupKey, IEnumerable<ServiceProcess>? logsOf = null)
    {
        await Until(() => ResolvedCount(dedupKey) > 0, () => $"no resolution of {dedupKey}; got [{string.Join(", ", Resolutions.Select(a => a.DedupKey))}]" +
            string.Concat((logsOf ?? []).SelectMany(s => s.Output.TakeLast(20).Select(l => $"\n{s.Name}: {l}"))));
        return Resolutions.First(a => a.DedupKey == dedupKey);
    }

    /// <summary>Waits (generously: CI runs on 2 busy cores) until an alert with <paramref name="dedupKey"/> arrived.</summary>
    public async Task<AlertRaised> WaitForAsync(string dedupKey, IEnumerable<ServiceProcess>? logsOf = null)
    {
        await Until(() => Count(dedupKey) > 0, () => $"no alert {dedupKey}; got [{string.Join(", ", Alerts.Select(a => a.DedupKey))}]" +
            string.Concat((logsOf ?? []).SelectMany(s => s.Output.TakeLast(20).Select(l => $"\n{s.Name}: {l}"))));
        return Alerts.First(a => a.DedupKey == dedupKey);
    }

    public static async Task Until(Func<bool> condition, Func<string> what, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {seconds:F0} s: {what()}");
            await Task.Delay(50);
        }
    }

    public static PnlUpdated Pnl(string strategy, decimal total, DateTimeOffset asOf, string account = "acct-r") => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Account = account,
        Strategy = strategy,
        Realized = total,
        Unrealized = 0,
        Currency = "USD",
        AsOf = asOf,
    };

    public static TickerReceived Tick(string symbol, decimal price, long sequence, DateTimeOffset exchangeTime, string client = "raw") => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Symbol = symbol,
        Price = price,
        Sequence = sequence,
        ExchangeTime = exchangeTime,
        Client = client,
    };

    /// <summary>A quiet market: ±0.1 % moves around 100 (σ ≈ 0.1 %, a band of about ±0.4 % with k = 4).</summary>
    public static decimal QuietPrice(int i) => i % 2 == 0 ? 100.1m : 99.9m;

    /// <summary>The stored fields of a risk key (<c>t</c>, <c>n</c>, <c>s</c>), or null when it is not in Redis.</summary>
    public static async Task<(long Time, long Updates, string Json)?> StoredAsync(IConnectionMultiplexer redis, string key)
    {
        var values = await redis.GetDatabase().HashGetAsync(key, ["t", "n", "s"]);
        return values[2].IsNull ? null : ((long)values[0], (long)values[1], (string)values[2]!);
    }

    /// <summary>
    /// risk-evaluator's own count of <paramref name="kind"/> messages it has finished with (judged and committed, or
    /// ignored), from its /metrics (<c>opsbot_risk_messages_evaluated_total</c> + <c>opsbot_risk_messages_ignored_total</c>).
    /// </summary>
    public static async Task<long> HandledAsync(Func<Task<string>> metrics, string kind)
    {
        long total = 0;
        foreach (var line in (await ReadAsync(metrics)).Split('\n'))
        {
            if (!(line.StartsWith("opsbot_risk_messages_evaluated_total{", StringComparison.Ordinal) ||
                  line.StartsWith("opsbot_risk_messages_ignored_total{", StringComparison.Ordinal)) ||
                !line.Contains($"kind=\"{kind}\"", StringComparison.Ordinal)) continue;
            total += (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return total;
    }

    /// <summary>
    /// Publishes each message only after risk-evaluator has finished with the one before (its own counter): the
    /// order the test wants is the order judged. (The consumers' partitioner keeps one key's messages from running
    /// at once, but with a concurrency limit above one it does not keep their arrival order — see docs/risk.md.)
    /// </summary>
    public async Task SendInOrderAsync<T>(Func<Task<string>> metrics, string kind, IEnumerable<T> messages) where T : class
    {
        var handled = await HandledAsync(metrics, kind);
        foreach (var message in messages)
        {
            await Publish(message);
            handled++;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await HandledAsync(metrics, kind) < handled)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"risk-evaluator never finished {kind} message #{handled}");
                await Task.Delay(20);
            }
        }
    }

    /// <summary>The value of an <c>opsbot_risk_*</c> series on /metrics (sum over the lines matching <paramref name="filter"/>).</summary>
    public static async Task<double> MetricAsync(Func<Task<string>> metrics, string name, string filter = "")
    {
        double total = 0;
        foreach (var line in (await ReadAsync(metrics)).Split('\n'))
            if ((line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal)) && line.Contains(filter, StringComparison.Ordinal))
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return total;
    }

    /// <summary>/metrics, retried for up to a minute: a scrape can time out on a machine this busy.</summary>
    private static async Task<string> ReadAsync(Func<Task<string>> metrics)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await metrics();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
