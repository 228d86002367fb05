using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsBot.Contracts;

namespace OpsBot.MarketFeed.Sdk;

/// <summary>
/// The sdk client's decoder: parses the text the library hands over into a <see cref="JsonNode"/>
/// tree and reads it by name. Written independently of the raw client's reader-based decoder so
/// that the parity check compares two implementations of the same rules (docs/market-feed.md).
/// </summary>
public sealed class DomFrameDecoder(TimeProvider time)
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };
    private static readonly string[] TimestampFormats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"];

    public DecodeResult Decode(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, NodeOptions, DocumentOptions);
            if (root is JsonObject o) _ = o.Count; // forces the object to materialise: duplicate names throw here
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return DecodeResult.Malformed($"invalid JSON ({e.GetType().Name})");
        }
        if (root is not JsonObject frame) return DecodeResult.Malformed("top level is not an object");

        var channelNode = frame["channel"];
        if (channelNode is null)
        {
            return Text(frame["type"]) == "error"
                ? DecodeResult.Ok(new DecodedFrame { Channel = FeedChannel.Error, Message = Text(frame["message"]) ?? "" })
                : DecodeResult.Malformed("channel is missing");
        }
        var channel = Text(channelNode);
        if (channel is null) return DecodeResult.Malformed("channel is not a string");

        if (frame["sequence_num"] is not JsonValue seqValue || seqValue.GetValueKind() != JsonValueKind.Number
            || !seqValue.TryGetValue<long>(out var sequence) || sequence < 0)
            return DecodeResult.Malformed(frame.ContainsKey("sequence_num") ? "sequence_num is not a non-negative whole number" : "sequence_num is missing");

        DateTimeOffset exchangeTime = default;
        if (frame.ContainsKey("timestamp") && !TryTimestamp(frame["timestamp"], out exchangeTime))
            return DecodeResult.Malformed("timestamp is not an ISO 8601 UTC time");

        var tickers = new List<(string Symbol, decimal Price, decimal? High, decimal? Low)>();
        var orders = new List<(string OrderId, string? ClientOrderId, string Symbol, string Side, string Status, decimal Filled, decimal? Average)>();
        if (frame.ContainsKey("events"))
        {
            if (frame["events"] is not JsonArray events) return DecodeResult.Malformed("events is not an array");
            foreach (var ev in events)
            {
                var error = ReadEvent(ev, tickers, orders);
                if (error is not null) return DecodeResult.Malformed(error);
            }
        }

        var kind = channel switch
        {
            "ticker" => FeedChannel.Ticker,
            "user" => FeedChannel.User,
            "heartbeats" => FeedChannel.Heartbeats,
            "subscriptions" => FeedChannel.Subscriptions,
            _ => FeedChannel.Other,
        };
        if (kind is not (FeedChannel.Ticker or FeedChannel.User))
            return DecodeResult.Ok(new DecodedFrame { Channel = kind, Sequence = sequence, ExchangeTime = exchangeTime });
        if (!frame.ContainsKey("timestamp")) return DecodeResult.Malformed("timestamp is missing");
        if (!frame.ContainsKey("events")) return DecodeResult.Malformed("events is missing");
        if (kind == FeedChannel.Ticker && orders.Count > 0) return DecodeResult.Malformed("orders in a ticker frame");
        if (kind == FeedChannel.User && tickers.Count > 0) return DecodeResult.Malformed("tickers in a user frame");

        var now = time.GetUtcNow();
        return kind == FeedChannel.Ticker
            ? DecodeResult.Ok(new DecodedFrame
            {
                Channel = kind,
                Sequence = sequence,
                ExchangeTime = exchangeTime,
                Tickers = tickers.Select(t => new TickerReceived
                {
                    CorrelationId = Guid.NewGuid(),
                    Timestamp = now,
                    Symbol = t.Symbol,
                    Price = t.Price,
                    High24h = t.High,
                    Low24h = t.Low,
                    Sequence = sequence,
                    ExchangeTime = exchangeTime,
                    Client = FeedClientNames.Sdk,
                }).ToList(),
            })
            : DecodeResult.Ok(new DecodedFrame
            {
                Channel = kind,
                Sequence = sequence,
                ExchangeTime = exchangeTime,
                UserUpdates = orders.Select(o => new UserUpdateReceived
                {
                    CorrelationId = Guid.NewGuid(),
                    Timestamp = now,
                    OrderId = o.OrderId,
                    ClientOrderId = o.ClientOrderId,
                    Symbol = o.Symbol,
                    Side = o.Side,
                    Status = o.Status,
                    FilledSize = o.Filled,
                    AveragePrice = o.Average,
                    Sequence = sequence,
                    ExchangeTime = exchangeTime,
                    Client = FeedClientNames.Sdk,
                }).ToList(),
            });
    }

    private static string? ReadEvent(JsonNode? node, List<(string, decimal, decimal?, decimal?)> tickers,
        List<(string, string?, string, string, string, decimal, decimal?)> orders)
    {
        if (node is not JsonObject ev) return "an event is not an object";
        var hasItems = ev.ContainsKey("tickers") || ev.ContainsKey("orders");
        if (ev.ContainsKey("type"))
        {
            var type = Text(ev["type"]);
            if (type is null) return "event type is not a string";
            if (type is not ("snapshot" or "update")) return "event type is neither snapshot nor update";
        }
        else if (hasItems)
        {
            return "event type is missing";
        }

        if (ev.ContainsKey("tickers"))
        {
            if (ev["tickers"] is not JsonArray list) return "tickers is not an array";
            foreach (var item in list)
            {
                if (item is not JsonObject t) return "a ticker is not an object";
                if (!t.ContainsKey("product_id")) return "ticker product_id is missing";
                if (NonEmpty(t["product_id"]) is not { } symbol) return "ticker product_id is not a non-empty string";
                if (!t.ContainsKey("price")) return "ticker price is missing";
                if (!TryDecimal(t["price"], out var price) || price is null) return "ticker price is not a decimal";
                if (!TryDecimal(t["high_24_h"], out var high)) return "ticker high_24_h is not a decimal";
                if (!TryDecimal(t["low_24_h"], out var low)) return "ticker low_24_h is not a decimal";
                tickers.Add((symbol, price.Value, high, low));
            }
        }
        if (ev.ContainsKey("orders"))
        {
            if (ev["orders"] is not JsonArray list) return "orders is not an array";
            foreach (var item in list)
            {
                if (item is not JsonObject o) return "an order is not an object";
                if (!o.ContainsKey("order_id")) return "order_id is missing";
                if (NonEmpty(o["order_id"]) is not { } orderId) return "order_id is not a non-empty string";
                string? clientOrderId = null;
                if (o["client_order_id"] is { } cid)
                {
                    if (cid.GetValueKind() != JsonValueKind.String) return "client_order_id is not a string";
                    clientOrderId = NonEmpty(cid);
                }
                if (!o.ContainsKey("product_id")) return "order product_id is missing";
                if (NonEmpty(o["product_id"]) is not { } symbol) return "order product_id is not a non-empty string";
                if (!o.ContainsKey("order_side")) return "order_side is missing";
                var side = Text(o["order_side"])?.ToUpperInvariant();
                if (side is null) return "order_side is not a string";
                if (side is not ("BUY" or "SELL")) return "order_side is neither BUY nor SELL";
                if (!o.ContainsKey("status")) return "order status is missing";
                if (NonEmpty(o["status"]) is not { } status) return "order status is not a non-empty string";
                if (!o.ContainsKey("cumulative_quantity")) return "cumulative_quantity is missing";
                if (!TryDecimal(o["cumulative_quantity"], out var filled) || filled is null) return "cumulative_quantity is not a decimal";
                if (!TryDecimal(o["avg_price"], out var average)) return "avg_price is not a decimal";
                orders.Add((orderId, clientOrderId, symbol, side, status, filled.Value, average));
            }
        }
        return null;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string? NonEmpty(JsonNode? node) => Text(node) is { Length: > 0 } s ? s : null;

    /// <summary>Absent, null and "" are no value; otherwise a plain decimal string (sign, digits, one point) or a JSON number.</summary>
    private static bool TryDecimal(JsonNode? node, out decimal? value)
    {
        value = null;
        if (node is null) return true;
        if (node is not JsonValue v) return false;
        switch (v.GetValueKind())
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.Number:
                if (!v.TryGetValue<decimal>(out var number)) return false;
                value = number;
                return true;
            case JsonValueKind.String:
                var s = v.GetValue<string>();
                if (s.Length == 0) return true;
                if (!decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed)) return false;
                value = parsed;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// ISO 8601 in UTC with a trailing Z. The exchange sends nanoseconds; .NET keeps 100 ns ticks, and
    /// DateTimeOffset.Parse would round the rest while Utf8JsonReader truncates it: the fraction is cut
    /// to seven digits first so both clients agree (the parity check found this).
    /// </summary>
    private static bool TryTimestamp(JsonNode? node, out DateTimeOffset value)
    {
        value = default;
        if (Text(node) is not { } s) return false;
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && s.Length - dot - 2 > 7) s = string.Concat(s.AsSpan(0, dot + 8), "Z");
        if (!DateTimeOffset.TryParseExact(s, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
            return false;
        return true;
    }
}
