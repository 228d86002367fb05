using System.Buffers.Text;
using System.Text.Json;
using OpsBot.Contracts;

namespace OpsBot.MarketFeed.Raw;

/// <summary>
/// The raw client's decoder: one forward pass of <see cref="Utf8JsonReader"/> over the frame's
/// bytes, no DOM. Items are collected first and turned into contracts at the end, because the
/// envelope's <c>sequence_num</c> and <c>timestamp</c> may come after <c>events</c>.
/// Rules (the same as the sdk client's, written independently): see docs/market-feed.md.
/// </summary>
public sealed class RawFrameDecoder(TimeProvider time)
{
    private const int MaxDepth = 16;
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    private readonly List<TickerItem> _tickers = new(8);
    private readonly List<OrderItem> _orders = new(8);

    public DecodeResult Decode(ReadOnlySpan<byte> frame)
    {
        _tickers.Clear();
        _orders.Clear();
        var reader = new Utf8JsonReader(frame, ReaderOptions);
        try
        {
            return DecodeEnvelope(ref reader);
        }
        catch (JsonException e)
        {
            return DecodeResult.Malformed($"invalid JSON at byte {e.BytePositionInLine}");
        }
        catch (InvalidOperationException)
        {
            return DecodeResult.Malformed("invalid JSON value");
        }
    }

    private DecodeResult DecodeEnvelope(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return DecodeResult.Malformed("top level is not an object");

        string? channel = null, type = null, message = null;
        long sequence = -1;
        DateTimeOffset timestamp = default;
        bool hasTimestamp = false, hasEvents = false;
        var seen = Seen.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("channel"u8))
            {
                if (!Once(ref seen, Seen.Channel)) return Duplicate("channel");
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) return DecodeResult.Malformed("channel is not a string");
                channel = reader.GetString();
            }
            else if (reader.ValueTextEquals("sequence_num"u8))
            {
                if (!Once(ref seen, Seen.Sequence)) return Duplicate("sequence_num");
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out sequence) || sequence < 0)
                    return DecodeResult.Malformed("sequence_num is not a non-negative whole number");
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                if (!Once(ref seen, Seen.Timestamp)) return Duplicate("timestamp");
                reader.Read();
                if (!TryTimestamp(ref reader, out timestamp)) return DecodeResult.Malformed("timestamp is not an ISO 8601 UTC time");
                hasTimestamp = true;
            }
            else if (reader.ValueTextEquals("events"u8))
            {
                if (!Once(ref seen, Seen.Events)) return Duplicate("events");
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) return DecodeResult.Malformed("events is not an array");
                hasEvents = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var error = DecodeEvent(ref reader);
                    if (error is not null) return DecodeResult.Malformed(error);
                }
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                if (!Once(ref seen, Seen.Type)) return Duplicate("type");
                reader.Read();
                type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject) return DecodeResult.Malformed("unexpected token in the envelope");
        if (reader.Read()) return DecodeResult.Malformed("data after the top-level object");

        if (channel is null)
        {
            return type == "error"
                ? DecodeResult.Ok(new DecodedFrame { Channel = FeedChannel.Error, Message = message ?? "" })
                : DecodeResult.Malformed("channel is missing");
        }
        if (sequence < 0) return DecodeResult.Malformed("sequence_num is missing");

        var kind = channel switch
        {
            "ticker" => FeedChannel.Ticker,
            "user" => FeedChannel.User,
            "heartbeats" => FeedChannel.Heartbeats,
            "subscriptions" => FeedChannel.Subscriptions,
            _ => FeedChannel.Other,
        };
        if (kind is not (FeedChannel.Ticker or FeedChannel.User))
            return DecodeResult.Ok(new DecodedFrame { Channel = kind, Sequence = sequence, ExchangeTime = timestamp });

        if (!hasTimestamp) return DecodeResult.Malformed("timestamp is missing");
        if (!hasEvents) return DecodeResult.Malformed("events is missing");
        if (kind == FeedChannel.Ticker && _orders.Count > 0) return DecodeResult.Malformed("orders in a ticker frame");
        if (kind == FeedChannel.User && _tickers.Count > 0) return DecodeResult.Malformed("tickers in a user frame");
        return DecodeResult.Ok(Build(kind, sequence, timestamp));
    }

    private DecodedFrame Build(FeedChannel kind, long sequence, DateTimeOffset exchangeTime)
    {
        var now = time.GetUtcNow();
        if (kind == FeedChannel.Ticker)
        {
            var tickers = new TickerReceived[_tickers.Count];
            for (var i = 0; i < tickers.Length; i++)
            {
                var t = _tickers[i];
                tickers[i] = new TickerReceived
                {
                    CorrelationId = Guid.NewGuid(),
                    Timestamp = now,
                    Symbol = t.Symbol,
                    Price = t.Price,
                    High24h = t.High,
                    Low24h = t.Low,
                    Sequence = sequence,
                    ExchangeTime = exchangeTime,
                    Client = FeedClientNames.Raw,
                };
            }
            return new DecodedFrame { Channel = kind, Sequence = sequence, ExchangeTime = exchangeTime, Tickers = tickers };
        }
        var updates = new UserUpdateReceived[_orders.Count];
        for (var i = 0; i < updates.Length; i++)
        {
            var o = _orders[i];
            updates[i] = new UserUpdateReceived
            {
                CorrelationId = Guid.NewGuid(),
                Timestamp = now,
                OrderId = o.OrderId,
                ClientOrderId = o.ClientOrderId,
                Symbol = o.Symbol,
                Side = o.Side,
                Status = o.Status,
                FilledSize = o.Filled,
                AveragePrice = o.AveragePrice,
                Sequence = sequence,
                ExchangeTime = exchangeTime,
                Client = FeedClientNames.Raw,
            };
        }
        return new DecodedFrame { Channel = kind, Sequence = sequence, ExchangeTime = exchangeTime, UserUpdates = updates };
    }

    /// <returns>null, or why the event is malformed.</returns>
    private string? DecodeEvent(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return "an event is not an object";
        string? type = null;
        var hasItems = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) return "event type is not a string";
                if (reader.ValueTextEquals("snapshot"u8)) type = "snapshot";
                else if (reader.ValueTextEquals("update"u8)) type = "update";
                else return "event type is neither snapshot nor update";
            }
            else if (reader.ValueTextEquals("tickers"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) return "tickers is not an array";
                hasItems = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var error = DecodeTicker(ref reader);
                    if (error is not null) return error;
                }
            }
            else if (reader.ValueTextEquals("orders"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) return "orders is not an array";
                hasItems = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var error = DecodeOrder(ref reader);
                    if (error is not null) return error;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        // Heartbeat and subscriptions events have no type; an event with tickers or orders must have one.
        if (type is null && hasItems) return "event type is missing";
        return null;
    }

    private string? DecodeTicker(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return "a ticker is not an object";
        string? symbol = null;
        decimal? price = null, high = null, low = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("product_id"u8))
            {
                reader.Read();
                symbol = NonEmptyString(ref reader);
                if (symbol is null) return "ticker product_id is not a non-empty string";
            }
            else if (reader.ValueTextEquals("price"u8))
            {
                reader.Read();
                if (!TryDecimal(ref reader, out var p) || p is null) return "ticker price is not a decimal";
                price = p;
            }
            else if (reader.ValueTextEquals("high_24_h"u8))
            {
                reader.Read();
                if (!TryDecimal(ref reader, out high)) return "ticker high_24_h is not a decimal";
            }
            else if (reader.ValueTextEquals("low_24_h"u8))
            {
                reader.Read();
                if (!TryDecimal(ref reader, out low)) return "ticker low_24_h is not a decimal";
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (symbol is null) return "ticker product_id is missing";
        if (price is null) return "ticker price is missing";
        _tickers.Add(new TickerItem(symbol, price.Value, high, low));
        return null;
    }

    private string? DecodeOrder(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return "an order is not an object";
        string? orderId = null, clientOrderId = null, symbol = null, side = null, status = null;
        decimal? filled = null, average = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("order_id"u8))
            {
                reader.Read();
                orderId = NonEmptyString(ref reader);
                if (orderId is null) return "order_id is not a non-empty string";
            }
            else if (reader.ValueTextEquals("client_order_id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) clientOrderId = null;
                else if (reader.TokenType == JsonTokenType.String) clientOrderId = NullIfEmpty(reader.GetString());
                else return "client_order_id is not a string";
            }
            else if (reader.ValueTextEquals("product_id"u8))
            {
                reader.Read();
                symbol = NonEmptyString(ref reader);
                if (symbol is null) return "order product_id is not a non-empty string";
            }
            else if (reader.ValueTextEquals("order_side"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) return "order_side is not a string";
                side = reader.GetString()!.ToUpperInvariant();
                if (side is not ("BUY" or "SELL")) return "order_side is neither BUY nor SELL";
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status = NonEmptyString(ref reader);
                if (status is null) return "order status is not a non-empty string";
            }
            else if (reader.ValueTextEquals("cumulative_quantity"u8))
            {
                reader.Read();
                if (!TryDecimal(ref reader, out filled) || filled is null) return "cumulative_quantity is not a decimal";
            }
            else if (reader.ValueTextEquals("avg_price"u8))
            {
                reader.Read();
                if (!TryDecimal(ref reader, out average)) return "avg_price is not a decimal";
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (orderId is null) return "order_id is missing";
        if (symbol is null) return "order product_id is missing";
        if (side is null) return "order_side is missing";
        if (status is null) return "order status is missing";
        if (filled is null) return "cumulative_quantity is missing";
        _orders.Add(new OrderItem(orderId, clientOrderId, symbol, side, status, filled.Value, average));
        return null;
    }

    private static string? NonEmptyString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) return null;
        var s = reader.GetString();
        return string.IsNullOrEmpty(s) ? null : s;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>A decimal as the exchange sends it: a string of digits with an optional sign and point (or a JSON number); "" and null are absent.</summary>
    private static bool TryDecimal(ref Utf8JsonReader reader, out decimal? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number:
                if (!reader.TryGetDecimal(out var number)) return false;
                value = number;
                return true;
            case JsonTokenType.String:
                if (reader.ValueIsEscaped) return false;
                var span = reader.ValueSpan;
                if (span.Length == 0) return true;
                if (!IsPlainDecimal(span) || !Utf8Parser.TryParse(span, out decimal parsed, out var consumed, 'F') || consumed != span.Length) return false;
                value = parsed;
                return true;
            default:
                return false;
        }
    }

    private static bool IsPlainDecimal(ReadOnlySpan<byte> span)
    {
        var start = span[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        if (start == span.Length) return false;
        var points = 0;
        for (var i = start; i < span.Length; i++)
        {
            if (span[i] == (byte)'.') { if (++points > 1) return false; }
            else if (span[i] is < (byte)'0' or > (byte)'9') return false;
        }
        return true;
    }

    /// <summary>ISO 8601 in UTC with a trailing Z; fractions beyond 100 ns (the exchange sends nanoseconds) are truncated.</summary>
    private static bool TryTimestamp(ref Utf8JsonReader reader, out DateTimeOffset value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return false;
        var span = reader.ValueSpan;
        if (span.Length < 20 || span[^1] != (byte)'Z' || span[10] != (byte)'T') return false;
        if (!reader.TryGetDateTimeOffset(out value)) return false;
        value = value.ToUniversalTime();
        return true;
    }

    private static bool Once(ref Seen seen, Seen field)
    {
        if ((seen & field) != 0) return false;
        seen |= field;
        return true;
    }

    private static DecodeResult Duplicate(string field) => DecodeResult.Malformed($"{field} appears twice");

    [Flags]
    private enum Seen { None = 0, Channel = 1, Sequence = 2, Timestamp = 4, Events = 8, Type = 16 }

    private readonly record struct TickerItem(string Symbol, decimal Price, decimal? High, decimal? Low);

    private readonly record struct OrderItem(string OrderId, string? ClientOrderId, string Symbol, string Side, string Status, decimal Filled, decimal? AveragePrice);
}
