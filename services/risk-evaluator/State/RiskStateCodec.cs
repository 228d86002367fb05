using System.Text.Json;
using System.Text.Json.Serialization;
using OpsBot.Risk;

namespace OpsBot.RiskEvaluator.State;

/// <summary>The persisted form of a <see cref="SymbolState"/> (the band-publish time stays in memory).</summary>
public sealed record SymbolStateDocument(
    decimal LastPrice, bool? BreachAbove, DateTimeOffset LastExchangeTime, decimal[] PricesAtLastTime, long Updates, VolatilitySnapshot Model);

/// <summary>JSON of the states kept in Redis: System.Text.Json, doubles round-tripped exactly (NaN included).</summary>
public static class RiskStateCodec
{
    public static JsonSerializerOptions Options { get; } = new(VolatilitySnapshot.JsonOptions)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(StrategyState state) => JsonSerializer.Serialize(state, Options);

    public static StrategyState DeserializeStrategy(string json) =>
        JsonSerializer.Deserialize<StrategyState>(json, Options) ?? throw new JsonException("null strategy state");

    public static string Serialize(SymbolState state) => JsonSerializer.Serialize(new SymbolStateDocument(
        state.LastPrice, state.BreachAbove, state.LastExchangeTime, [.. state.PricesAtLastTime], state.Updates, state.Model.Snapshot()), Options);

    public static SymbolStateDocument DeserializeSymbol(string json) =>
        JsonSerializer.Deserialize<SymbolStateDocument>(json, Options) ?? throw new JsonException("null symbol state");
}
