using OpsBot.Contracts;

namespace OpsBot.Faults.Tests.Partitions;

/// <summary>
/// A recorded stream of PnL and ticks, generated deterministically (a fixed pseudo-random sequence), so that every
/// topology sees exactly the same messages in the same order per key. It holds 200 strategies (12 updates each) and
/// 20 symbols (60 ticks each) and breaches every rule: loss warnings and criticals, drawdowns whose peak comes in the
/// first half and trough in the second, a loss that recovers and returns, and price-band breaches above and below,
/// before and after the middle. <see cref="Rounds"/> are published one after the other; a round holds at most one
/// message per key, so publishing a round's messages concurrently keeps every key in order.
/// <para>Names carry a run token (<c>acct-&lt;run&gt;</c>, <c>&lt;run&gt;-S07</c>) so runs never share durable state; <see cref="Normalize"/> removes it.</para>
/// </summary>
public sealed class RiskStream
{
    public const int Strategies = 200;
    public const int UpdatesPerStrategy = 12;
    public const int Symbols = 20;
    public const int TicksPerSymbol = 60;
    public const decimal LossThreshold = 1000m;
    public const decimal DrawdownThreshold = 500m;
    /// <summary>Strategies whose PnL comes from a publisher that sets no partition key (routing key ""): they all hash to one partition.</summary>
    public const int UnkeyedStrategies = 5;

    private RiskStream(string run, DateTimeOffset start, List<List<object>> rounds, List<PnlUpdated> unkeyed)
    {
        Run = run;
        Start = start;
        Rounds = rounds;
        Unkeyed = unkeyed;
    }

    public string Run { get; }
    /// <summary>The PnL time of the stream's first round; every PnL of a run, markers included, is of this UTC day.</summary>
    public DateTimeOffset Start { get; }
    public string Account => $"acct-{Run}";
    public IReadOnlyList<IReadOnlyList<object>> Rounds { get; }
    /// <summary>Published in order, one at a time, without a routing key, in the first half of the stream.</summary>
    public IReadOnlyList<PnlUpdated> Unkeyed { get; }
    public int MessageCount => Rounds.Sum(r => r.Count) + Unkeyed.Count;

    public static RiskStream Create(string run, DateTimeOffset now)
    {
        var random = new Random(20261130);
        // One UTC day for the whole stream (the drawdown session is a UTC day), in the past.
        var start = now.UtcDateTime.TimeOfDay > TimeSpan.FromHours(1) ? now.AddHours(-1) : new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var rounds = Enumerable.Range(0, TicksPerSymbol).Select(_ => new List<object>()).ToList();
        var account = $"acct-{run}";

        for (var s = 0; s < Strategies; s++)
        {
            for (var j = 0; j < UpdatesPerStrategy; j++)
            {
                var noise = random.Next(-50, 51);
                var total = (s % 4) switch
                {
                    0 => random.Next(-200, 201),                                  // calm: never an alert
                    1 => -260m * j - 10 * (s % 7) + noise,                          // loss: warning, then critical (and a drawdown)
                    2 => (j <= 5 ? 240m * j : 600m - 10m * (j - 6)) + noise,        // peak ~1,200 in the first half, ~600 after: a drawdown only from the first half's peak
                    _ => (j < 4 ? -1100m : j < 8 ? -500m : -1300m) + noise,         // a warning, recovery, a warning again
                };
                var round = j * 5 + s % 5;
                // Odd strategies as pnl-ingest publishes today (v2, which reaches v1 consumers through the v2 → v1 binding), even ones as v1.
                rounds[round].Add(Pnl(account, $"strat-{s:D3}", total, start.AddSeconds(round), v2: s % 2 == 1));
            }
        }

        for (var k = 0; k < Symbols; k++)
        {
            var price = 100m + 10m * k;
            for (var t = 0; t < TicksPerSymbol; t++)
            {
                var move = (decimal)(random.NextDouble() * 0.002 - 0.001);
                if (k % 2 == 0 && (t == 20 || t == 45)) move = 0.03m;   // breaks out above, before and after the middle
                if (k % 2 == 1 && t == 40) move = -0.03m;               // breaks out below, after the middle
                price = decimal.Round(price * (1 + move), 6);
                rounds[t].Add(Tick($"{run}-S{k:D2}", price, t + 1, start.AddSeconds(t)));
            }
        }

        var unkeyed = new List<PnlUpdated>();
        for (var u = 0; u < UnkeyedStrategies; u++)
            foreach (var total in new[] { -300m, -1200m - u, -2500m - u })
                unkeyed.Add(Pnl(account, $"nokey-{u}", total, start));
        return new RiskStream(run, start, rounds, unkeyed);
    }

    public static PnlUpdated Pnl(string account, string strategy, decimal total, DateTimeOffset asOf, bool v2 = false)
    {
        var realized = decimal.Round(total * 0.6m, 2);
        if (v2)
        {
            return new PnlUpdatedV2
            {
                CorrelationId = Guid.NewGuid(),
                Timestamp = DateTimeOffset.UtcNow,
                Account = account,
                Strategy = strategy,
                Realized = realized,
                Unrealized = total - realized,
                Currency = "USD",
                AsOf = asOf,
                Fees = 1.5m,
            };
        }
        return new PnlUpdated
        {
            CorrelationId = Guid.NewGuid(),
            Timestamp = DateTimeOffset.UtcNow,
            Account = account,
            Strategy = strategy,
            Realized = realized,
            Unrealized = total - realized,
            Currency = "USD",
            AsOf = asOf,
        };
    }

    public static TickerReceived Tick(string symbol, decimal price, long sequence, DateTimeOffset exchangeTime) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Symbol = symbol,
        Price = price,
        Sequence = sequence,
        ExchangeTime = exchangeTime,
        Client = "raw",
    };

    /// <summary>Number of messages the replicas consume for one run: the stream and the markers.</summary>
    public int ConsumedPerRun(int partitions) => MessageCount + partitions * (1 + TickMarkers(0).Count());

    /// <summary>
    /// The marker PnL of partition <paramref name="partition"/>: a loss far beyond twice the threshold, so a critical alert.
    /// Of the stream's day: a later day starts a new drawdown session for every strategy of the process.
    /// </summary>
    public PnlUpdated PnlMarker(int partition) => Pnl(Account, $"marker-{partition}", -1_000_000m, Start.AddSeconds(TicksPerSymbol));

    public static string PnlMarkerKey(string account, int partition) => $"pnl-loss:{account}:marker-{partition}";

    /// <summary>The marker ticks of partition <paramref name="partition"/>: a quiet warm-up, then a 50 % jump, so a price-band alert.</summary>
    public IEnumerable<TickerReceived> TickMarkers(int partition)
    {
        var price = 100m;
        for (var t = 1; t <= 15; t++)
        {
            price *= t % 2 == 0 ? 1.001m : 0.999m;
            yield return Tick(TickMarkerSymbol(partition), price, t, DateTimeOffset.UtcNow);
        }
        yield return Tick(TickMarkerSymbol(partition), price * 1.5m, 16, DateTimeOffset.UtcNow);
    }

    public string TickMarkerSymbol(int partition) => $"MARK-{Run}-{partition}";

    public bool IsMarker(AlertRaised alert) => alert.DedupKey.Contains(":marker-", StringComparison.Ordinal) || alert.DedupKey.Contains("MARK-", StringComparison.Ordinal);

    /// <summary>An alert as the comparison sees it: its dedup key without the run token, and its severity.</summary>
    public string Normalize(AlertRaised alert) => $"{alert.DedupKey.Replace(Run, "RUN", StringComparison.Ordinal)} {alert.Severity}";
}
