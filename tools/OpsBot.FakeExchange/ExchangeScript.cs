namespace OpsBot.FakeExchange;

/// <summary>One ticker as the exchange's <c>ticker</c> channel carries it.</summary>
public sealed record TickerData(string ProductId, string Price, string? High24h = null, string? Low24h = null, string Volume24h = "1000.0");

/// <summary>One order as the exchange's <c>user</c> channel carries it (full order state, not a delta).</summary>
public sealed record OrderData(string OrderId, string ProductId, string Side, string Status, string CumulativeQuantity, string AvgPrice, string? ClientOrderId = null);

/// <summary>One step of a scripted connection.</summary>
public abstract record ExchangeStep;

/// <summary>A <c>ticker</c> frame (one event of type snapshot or update), optionally sent as several WebSocket fragments.</summary>
public sealed record TickerStep(IReadOnlyList<TickerData> Tickers, bool Snapshot = false, int Fragments = 1) : ExchangeStep;

/// <summary>A <c>user</c> frame with orders (one event of type snapshot or update).</summary>
public sealed record OrdersStep(IReadOnlyList<OrderData> Orders, bool Snapshot = false) : ExchangeStep;

/// <summary>A <c>heartbeats</c> frame.</summary>
public sealed record HeartbeatStep : ExchangeStep;

/// <summary>A text frame that is not a valid exchange message. It takes no sequence number.</summary>
public sealed record MalformedStep(string Text) : ExchangeStep;

/// <summary>The exchange skips <paramref name="Count"/> sequence numbers: the next frame shows a gap.</summary>
public sealed record SkipSequenceStep(int Count) : ExchangeStep;

/// <summary>The next two frames are sent in reverse order of their sequence numbers.</summary>
public sealed record SwapNextStep : ExchangeStep;

/// <summary>The server drops the TCP connection without a close frame.</summary>
public sealed record DisconnectStep : ExchangeStep;

/// <summary>The server goes silent (no frames, no heartbeats) but keeps the connection open.</summary>
public sealed record SilenceStep : ExchangeStep;

public sealed record PauseStep(TimeSpan Duration) : ExchangeStep;

/// <summary>
/// What the fake exchange plays: segment <c>n</c> is played on the n-th connection of a session (a
/// session is the <c>session</c> query parameter of the URL, so two clients can replay the same
/// script side by side). Connections past the last segment get heartbeats only.
/// </summary>
public sealed record ExchangeScript(IReadOnlyList<IReadOnlyList<ExchangeStep>> Segments)
{
    public static readonly string[] Products = ["BTC-USD", "ETH-USD"];

    /// <summary>Number of <c>ticker</c> and <c>user_update</c> events a correct client publishes for this script.</summary>
    public (int Tickers, int UserUpdates) ExpectedCounts()
    {
        int tickers = 0, users = 0;
        foreach (var segment in Segments)
        {
            var swapped = false;
            foreach (var step in segment)
            {
                if (step is SwapNextStep) { swapped = true; continue; }
                if (step is not (TickerStep or OrdersStep)) continue;
                // Of a swapped pair, the frame with the lower sequence arrives second and is dropped as stale.
                if (swapped) { swapped = false; continue; }
                if (step is TickerStep t) tickers += t.Tickers.Count;
                if (step is OrdersStep o) users += o.Orders.Count;
            }
        }
        return (tickers, users);
    }

    /// <summary>
    /// The standard session: snapshots, updates, heartbeats, a fragmented frame, a malformed frame,
    /// a sequence gap, an out-of-order pair and a forced disconnect; after the reconnect a second
    /// segment with fresh snapshots. <paramref name="extraTicks"/> adds generated updates for volume.
    /// </summary>
    public static ExchangeScript Standard(int extraTicks = 0)
    {
        var first = new List<ExchangeStep>
        {
            new TickerStep([new("BTC-USD", "68900.50", "69200.00", "67500.00"), new("ETH-USD", "3500.10", "3550.00", "3400.00")], Snapshot: true),
            new OrdersStep([new("o-1", "BTC-USD", "BUY", "OPEN", "0", "0", "c-1"), new("o-2", "ETH-USD", "SELL", "OPEN", "0", "0")], Snapshot: true),
            new HeartbeatStep(),
            new TickerStep([new("BTC-USD", "68901.00", "69200.00", "67500.00")]),
            new TickerStep([new("ETH-USD", "3500.20", "3550.00", "3400.00")], Fragments: 3),
            new OrdersStep([new("o-1", "BTC-USD", "BUY", "OPEN", "0.0005", "68901.00", "c-1")]),
            new MalformedStep("{\"channel\":\"ticker\",\"client_id\":\"\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"sequence_num\":"),
            new TickerStep([new("BTC-USD", "68902.25", "69200.00", "67500.00")]),
            new HeartbeatStep(),
            new SkipSequenceStep(3),
            new TickerStep([new("ETH-USD", "3501.00", "3550.00", "3400.00")]),
            new SwapNextStep(),
            new TickerStep([new("BTC-USD", "68903.00", "69200.00", "67500.00")]),
            new TickerStep([new("BTC-USD", "68904.00", "69200.00", "67500.00")]),
            new OrdersStep([new("o-1", "BTC-USD", "BUY", "FILLED", "0.001", "68902.10", "c-1")]),
        };
        for (var i = 0; i < extraTicks; i++)
        {
            var product = Products[i % Products.Length];
            var basePrice = product == "BTC-USD" ? 68_000m : 3_500m;
            first.Add(new TickerStep([new(product, (basePrice + i * 0.01m).ToString("F2", System.Globalization.CultureInfo.InvariantCulture), i % 7 == 0 ? null : "70000.00", i % 7 == 0 ? null : "3000.00")]));
            if (i % 10 == 9)
                first.Add(new OrdersStep([new($"o-gen-{i / 10}", product, i % 20 == 9 ? "BUY" : "SELL", "OPEN", "0.01", (basePrice + i * 0.01m).ToString("F2", System.Globalization.CultureInfo.InvariantCulture))]));
            if (i % 50 == 49) first.Add(new HeartbeatStep());
        }
        first.Add(new DisconnectStep());

        var second = new List<ExchangeStep>
        {
            new TickerStep([new("BTC-USD", "68904.50", "69200.00", "67500.00"), new("ETH-USD", "3501.50", "3550.00", "3400.00")], Snapshot: true),
            new OrdersStep([new("o-2", "ETH-USD", "SELL", "OPEN", "0", "0")], Snapshot: true),
            new TickerStep([new("ETH-USD", "3502.00", "3550.00", "3400.00")]),
            new OrdersStep([new("o-2", "ETH-USD", "SELL", "CANCELLED", "0", "0")]),
            new HeartbeatStep(),
            new TickerStep([new("BTC-USD", "68905.00", "69200.00", "67500.00")]),
        };
        return new ExchangeScript([first, second]);
    }
}
