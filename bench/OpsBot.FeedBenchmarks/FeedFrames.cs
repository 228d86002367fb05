using System.Globalization;
using System.Text;
using OpsBot.FakeExchange;

namespace OpsBot.FeedBenchmarks;

/// <summary>
/// A realistic stream as the fake exchange writes it: nine ticker updates (one product each, as the
/// exchange sends them) for every user update, each frame with the next sequence number.
/// </summary>
public static class FeedFrames
{
    public const int Count = 4096;

    public static (byte[][] Bytes, string[] Text) Create()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var bytes = new byte[Count][];
        for (var i = 0; i < Count; i++)
        {
            var at = start.AddMilliseconds(i);
            var product = i % 2 == 0 ? "BTC-USD" : "ETH-USD";
            var price = (i % 2 == 0 ? 68_000m : 3_500m) + i * 0.01m;
            bytes[i] = i % 10 == 9
                ? CoinbaseFrames.Orders(i, at, false, [new OrderData($"order-{i}", product, "BUY", "OPEN", "0.0100", price.ToString("F2", CultureInfo.InvariantCulture), $"client-{i}")])
                : CoinbaseFrames.Ticker(i, at, false, [new TickerData(product, price.ToString("F2", CultureInfo.InvariantCulture), "70000.00", "3000.00")]);
        }
        return (bytes, bytes.Select(b => Encoding.UTF8.GetString(b)).ToArray());
    }
}
