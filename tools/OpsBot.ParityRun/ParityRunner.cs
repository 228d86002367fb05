using Microsoft.Extensions.Logging;
using OpsBot.FakeExchange;
using OpsBot.MarketFeed;
using OpsBot.ParityChecker;

namespace OpsBot.ParityRun;

public sealed record ParityRunOptions
{
    public int ExtraTicks { get; init; } = 200;
    public ParityFault? Fault { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}

public sealed record ParityRunResult(ParityOutcome Outcome, IReadOnlyList<FeedClientStats> Stats, (int Tickers, int UserUpdates) Expected, string ScriptName)
{
    public bool Passed => Outcome.Passed;
}

/// <summary>
/// The parity run: one fake exchange replaying the standard scripted session (snapshots, updates,
/// heartbeats, a fragmented and a malformed frame, a gap, an out-of-order pair, a forced disconnect
/// and a second segment after the reconnect) to each client on its own connection; both clients run
/// side by side in this process; when the script is over the events are compared with the
/// parity-checker's <see cref="ParityComparer"/> (strict), and each count with what the script sends.
/// No RabbitMQ is needed: the service path (market-feed -> bus -> parity-checker) is covered by tests.
/// </summary>
public sealed class ParityRunner(ILoggerFactory loggers)
{
    public static readonly string[] Clients = [FeedClientNames.Raw, FeedClientNames.Sdk];

    public async Task<ParityRunResult> RunAsync(ParityRunOptions run, CancellationToken cancellationToken = default)
    {
        var script = ExchangeScript.Standard(run.ExtraTicks);
        await using var exchange = await FakeExchangeServer.StartAsync(new FakeExchangeOptions { Script = script });
        var window = new ParityWindow(exchange.TimeBase, exchange.TimeBase);
        var collector = new CollectingSink(window);
        var baseOptions = new MarketFeedOptions
        {
            Url = exchange.Url,
            HeartbeatTimeout = TimeSpan.FromSeconds(5),
            ReconnectMin = TimeSpan.FromMilliseconds(100),
            ReconnectMax = TimeSpan.FromSeconds(2),
        };
        var factory = new FeedClientFactory(baseOptions, TimeProvider.System, loggers);
        var clients = Clients
            .Select(name => factory.Create(name, new FaultInjectingSink(collector, run.Fault, name), baseOptions with { Url = exchange.SessionUrl(name) }))
            .ToList();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = clients.Select(c => Task.Run(() => c.RunAsync(stop.Token), CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(Clients.Select(name => exchange.WaitForSessionCompleteAsync(name, run.Timeout)));
            await SettleAsync(clients, TimeSpan.FromSeconds(5));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        var expected = script.ExpectedCounts();
        ParityOutcome outcome;
        lock (window)
        {
            var comparer = new ParityComparer(new ParityComparerOptions { Clients = Clients, Strict = true });
            outcome = comparer.Compare(window);
        }
        var differences = outcome.Differences.ToList();
        foreach (var client in Clients)
        {
            if (outcome.Count(client, ParityComparer.Ticker) != expected.Tickers)
                differences.Add($"{client}: ticker {outcome.Count(client, ParityComparer.Ticker)}, the script sends {expected.Tickers}");
            if (outcome.Count(client, ParityComparer.UserUpdate) != expected.UserUpdates)
                differences.Add($"{client}: user_update {outcome.Count(client, ParityComparer.UserUpdate)}, the script sends {expected.UserUpdates}");
        }
        return new ParityRunResult(outcome with { Differences = differences }, clients.Select(c => c.Stats).ToList(), expected,
            $"standard (+{run.ExtraTicks} generated ticks)");
    }

    /// <summary>Waits until no client's counts change for a moment (the last frames are in flight when the script completes).</summary>
    private static async Task SettleAsync(IReadOnlyList<IMarketFeedClient> clients, TimeSpan max)
    {
        var deadline = DateTime.UtcNow + max;
        var last = "";
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            var now = string.Join(",", clients.Select(c => $"{c.Stats.Frames}"));
            if (now != last) { last = now; quietSince = DateTime.UtcNow; }
            else if (DateTime.UtcNow - quietSince > TimeSpan.FromMilliseconds(300)) return;
            await Task.Delay(50);
        }
    }
}
