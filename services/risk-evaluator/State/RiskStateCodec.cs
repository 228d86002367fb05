using System.Text.Json;
using System.Text.Json.Serialization;
using OpsBot.Risk;

namespace OpsBot.RiskEvaluator.State;

/// <summary>
/// The persisted form of a <see cref="SymbolState"/> (the band-publish time stays in memory). <see cref="Above"/> and
/// <see cref="Below"/> (the open incidents) came later: a document written before them has neither, and its open breach
/// (<see cref="BreachAbove"/>) is read as an open incident on that side (<see cref="RiskStateCodec.OpenIncidents"/>).
/// </summary>
public sealed record SymbolStateDocument(
    decimal LastPrice, bool? BreachAbove, DateTimeOffset LastExchangeTime, decimal[] PricesAtLastTime, long Updates, VolatilitySnapshot Model,
    BandIncident? Above = null, BandIncident? Below = null);

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
        state.LastPrice, state.BreachAbove, state.LastExchangeTime, [.. state.PricesAtLastTime], state.Updates, state.Model.Snapshot(),
        state.Above, state.Below), Options);

    public static SymbolStateDocument DeserializeSymbol(string json) =>
        JsonSerializer.Deserialize<SymbolStateDocument>(json, Options) ?? throw new JsonException("null symbol state");

    /// <summary>
    /// The open incidents of a stored symbol. A price beyond a side always has that side's incident open, so a document
    /// whose <see cref="SymbolStateDocument.BreachAbove"/> names a side without an incident was written before incidents
    /// were kept: its breach was alerted and is still open.
    /// </summary>
    public static (BandIncident? Above, BandIncident? Below) OpenIncidents(SymbolStateDocument document)
    {
        var (above, below) = (document.Above, document.Below);
        if (document.BreachAbove == true && above is null) above = new BandIncident(true, document.LastPrice, document.LastExchangeTime, null);
        if (document.BreachAbove == false && below is null) below = new BandIncident(false, document.LastPrice, document.LastExchangeTime, null);
        return (above, below);
    }
}
