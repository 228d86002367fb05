using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace OpsBot.FakeExchange;

/// <summary>
/// Writes frames in the shape of Coinbase Advanced Trade's WebSocket feed: an envelope
/// <c>{channel, client_id, timestamp, sequence_num, events:[...]}</c>, events of type
/// <c>snapshot</c> or <c>update</c>, prices and sizes as decimal strings.
/// </summary>
public static class CoinbaseFrames
{
    /// <summary>
    /// The exchange's timestamps carry nanoseconds (nine fraction digits); the last two digits are
    /// set so that truncating to .NET's 100 ns ticks and rounding to them give different answers.
    /// </summary>
    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "87Z";

    public static byte[] Ticker(long sequence, DateTimeOffset at, bool snapshot, IEnumerable<TickerData> tickers) =>
        Envelope("ticker", sequence, at, w =>
        {
            w.WriteStartObject();
            w.WriteString("type", snapshot ? "snapshot" : "update");
            w.WriteStartArray("tickers");
            foreach (var t in tickers)
            {
                w.WriteStartObject();
                w.WriteString("type", "ticker");
                w.WriteString("product_id", t.ProductId);
                w.WriteString("price", t.Price);
                w.WriteString("volume_24_h", t.Volume24h);
                if (t.Low24h is not null) w.WriteString("low_24_h", t.Low24h);
                if (t.High24h is not null) w.WriteString("high_24_h", t.High24h);
                w.WriteString("price_percent_chg_24_h", "0.5");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });

    public static byte[] Orders(long sequence, DateTimeOffset at, bool snapshot, IEnumerable<OrderData> orders) =>
        Envelope("user", sequence, at, w =>
        {
            w.WriteStartObject();
            w.WriteString("type", snapshot ? "snapshot" : "update");
            w.WriteStartArray("orders");
            foreach (var o in orders)
            {
                w.WriteStartObject();
                w.WriteString("order_id", o.OrderId);
                w.WriteString("client_order_id", o.ClientOrderId ?? "");
                w.WriteString("cumulative_quantity", o.CumulativeQuantity);
                w.WriteString("leaves_quantity", "0");
                w.WriteString("avg_price", o.AvgPrice);
                w.WriteString("total_fees", "0");
                w.WriteString("status", o.Status);
                w.WriteString("product_id", o.ProductId);
                w.WriteString("creation_time", Timestamp(at));
                w.WriteString("order_side", o.Side);
                w.WriteString("order_type", "Limit");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("positions");
            w.WriteEndArray();
            w.WriteEndObject();
        });

    public static byte[] Heartbeat(long sequence, DateTimeOffset at, long counter) =>
        Envelope("heartbeats", sequence, at, w =>
        {
            w.WriteStartObject();
            w.WriteString("current_time", at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + " +0000 UTC");
            w.WriteString("heartbeat_counter", counter.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        });

    public static byte[] Subscriptions(long sequence, DateTimeOffset at, IReadOnlyDictionary<string, string[]> subscriptions) =>
        Envelope("subscriptions", sequence, at, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("subscriptions");
            foreach (var (channel, products) in subscriptions.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteStartArray(channel);
                foreach (var p in products) w.WriteStringValue(p);
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });

    public static byte[] Error(string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "error");
            w.WriteString("message", message);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Envelope(string channel, long sequence, DateTimeOffset at, Action<Utf8JsonWriter> writeEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("channel", channel);
            w.WriteString("client_id", "");
            w.WriteString("timestamp", Timestamp(at));
            w.WriteNumber("sequence_num", sequence);
            w.WriteStartArray("events");
            writeEvent(w);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
