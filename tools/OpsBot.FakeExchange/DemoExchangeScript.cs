using System.Globalization;

namespace OpsBot.FakeExchange;

/// <summary>
/// The session scripts/demo.sh plays to both market-feed clients: the standard session's opening (snapshots, a
/// fragmented and a malformed frame, a sequence gap, an out-of-order pair, an order fill), then calm markets —
/// BTC-USD and ETH-USD stepping a few hundredths of a percent, which warms risk-evaluator's volatility models up
/// (ten returns per symbol) — a forced disconnect, fresh snapshots after the reconnect, more calm ticks, and then
/// <see cref="SpikeSymbol"/> jumps by <see cref="SpikePercent"/> %, far outside its band (k = 4 σ, σ ≈ 0.007 %):
/// one price-band alert. ETH-USD never leaves its band.
/// </summary>
public static class DemoExchangeScript
{
    public const string SpikeSymbol = "BTC-USD";
    public const decimal SpikePercent = 2m;

    /// <summary>Calm ticks (both symbols together) before the disconnect and after the reconnect, before the jump.</summary>
    public const int CalmTicksBeforeDisconnect = 60;
    public const int CalmTicksBeforeSpike = 30;
    public const int CalmTicksAfterSpike = 10;

    // One cycle of moves per symbol, summing to zero so a whole number of cycles ends where it started; the largest
    // move is under 1.5 × the cycle's root mean square, so a calm tick never leaves a 4 σ band.
    private static readonly decimal[] BtcMoves = [7m, -4m, 5m, -6m, 3m, -5m];
    private static readonly decimal[] EthMoves = [0.30m, -0.20m, 0.25m, -0.35m, 0.15m, -0.15m];

    /// <summary>The script, the step (counted over both segments) that carries the jump, and the price it jumps to.</summary>
    public sealed record Session(ExchangeScript Script, int SpikeStep, decimal SpikePrice, decimal PriceBeforeSpike);

    public static Session Create()
    {
        var opening = ExchangeScript.Standard().Segments[0].Where(s => s is not DisconnectStep).ToList();
        // Where the opening leaves the two symbols (of its swapped BTC pair, 68904.00 is the one taken).
        var prices = new Dictionary<string, decimal> { ["BTC-USD"] = 68_904.00m, ["ETH-USD"] = 3_501.00m };
        var moves = new Dictionary<string, int> { ["BTC-USD"] = 0, ["ETH-USD"] = 0 };

        var first = new List<ExchangeStep>(opening);
        AddCalm(first, prices, moves, CalmTicksBeforeDisconnect, "a");
        first.Add(new DisconnectStep());

        var second = new List<ExchangeStep>
        {
            new TickerStep([Ticker("BTC-USD", prices["BTC-USD"]), Ticker("ETH-USD", prices["ETH-USD"])], Snapshot: true),
            new OrdersStep([new("o-demo-open", "ETH-USD", "SELL", "OPEN", "0", "0")], Snapshot: true),
        };
        AddCalm(second, prices, moves, CalmTicksBeforeSpike, "b");
        var before = prices[SpikeSymbol];
        var spike = Math.Round(before * (1 + SpikePercent / 100m), 2);
        prices[SpikeSymbol] = spike;
        var spikeStep = first.Count + second.Count;
        second.Add(new TickerStep([Ticker(SpikeSymbol, spike)]));
        AddCalm(second, prices, moves, CalmTicksAfterSpike, "c");
        second.Add(new OrdersStep([new("o-demo-open", "ETH-USD", "SELL", "CANCELLED", "0", "0")]));
        second.Add(new HeartbeatStep());
        return new Session(new ExchangeScript([first, second]), spikeStep, spike, before);
    }

    private static void AddCalm(List<ExchangeStep> steps, Dictionary<string, decimal> prices, Dictionary<string, int> moves, int ticks, string tag)
    {
        for (var i = 0; i < ticks; i++)
        {
            var symbol = i % 2 == 0 ? "BTC-USD" : "ETH-USD";
            var cycle = symbol == "BTC-USD" ? BtcMoves : EthMoves;
            prices[symbol] += cycle[moves[symbol]++ % cycle.Length];
            steps.Add(new TickerStep([Ticker(symbol, prices[symbol])]));
            if (i % 10 == 9)
                steps.Add(new OrdersStep([new($"o-demo-{tag}{i / 10}", symbol, i % 20 == 9 ? "BUY" : "SELL", "FILLED", "0.01", Format(prices[symbol]))]));
            if (i % 20 == 19) steps.Add(new HeartbeatStep());
        }
    }

    private static TickerData Ticker(string symbol, decimal price) =>
        symbol == "BTC-USD" ? new(symbol, Format(price), "71500.00", "67500.00") : new(symbol, Format(price), "3600.00", "3400.00");

    private static string Format(decimal price) => price.ToString("F2", CultureInfo.InvariantCulture);
}
