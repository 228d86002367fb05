using System.Text.Json.Nodes;

namespace OpsBot.ContractCatalog;

/// <summary>
/// A plausible example of a contract, built from its schema, wrapped in MassTransit's JSON envelope
/// exactly as a consumer receives it.
/// </summary>
public static class ExampleMessageBuilder
{
    public static readonly Guid ExampleCorrelationId = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private const string ExampleTime = "2026-11-27T10:15:00+00:00";

    public static JsonObject Envelope(ContractInfo contract, JsonObject schema, IEnumerable<string> messageTypes) => new()
    {
        ["messageId"] = "6d3a0000-5d8a-0015-8fd1-08de2a1b2c3d",
        ["correlationId"] = ExampleCorrelationId.ToString(),
        ["conversationId"] = "6d3a0000-5d8a-0015-9a1e-08de2a1b2c3e",
        ["sourceAddress"] = "rabbitmq://rabbitmq/host_pnlingest_bus_abc?temporary=true",
        ["destinationAddress"] = $"rabbitmq://rabbitmq/{contract.Exchange}",
        ["messageType"] = new JsonArray(messageTypes.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
        ["message"] = Example(schema, "")!,
        ["sentTime"] = "2026-11-27T10:15:00.1234567Z",
        ["headers"] = new JsonObject(),
        ["host"] = new JsonObject
        {
            ["machineName"] = "pnl-ingest-7c9f",
            ["processName"] = "dotnet",
            ["assembly"] = "OpsBot.PnlIngest",
            ["massTransitVersion"] = "8.5.12.0",
            ["frameworkVersion"] = "10.0.0",
        },
    };

    private static JsonNode? Example(JsonNode? schema, string name)
    {
        if (schema is not JsonObject s) return null;
        if (s["enum"] is JsonArray values && values.Count > 0) return values[0]!.DeepClone();
        var type = s["type"] switch
        {
            JsonArray types => types.Select(t => t!.ToString()).First(t => t != "null"),
            JsonNode t => t.ToString(),
            null => "string",
        };
        return type switch
        {
            "object" when s["properties"] is JsonObject properties =>
                new JsonObject(properties.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, Example(p.Value, p.Key)))),
            "object" when s["additionalProperties"] is JsonObject valueSchema =>
                new JsonObject { ["strategy"] = Example(valueSchema, "strategy") },
            "object" => new JsonObject(),
            "array" => new JsonArray(Example(s["items"], name)),
            "boolean" => true,
            "integer" => 42,
            "number" => 1.5,
            _ when s["format"]?.ToString() == "uuid" => name == "correlationId" ? ExampleCorrelationId.ToString() : "3b241101-e2bb-4255-8caf-4136c566a962",
            _ when s["format"]?.ToString() == "date-time" => ExampleTime,
            _ when s["pattern"]?.ToString() == ContractSchemaGenerator.DecimalPattern => "-1250.50",
            _ => name switch
            {
                "account" => "acct-1",
                "strategy" => "momentum",
                "currency" => "USD",
                "symbol" => "BTC-USD",
                _ => $"example {name}",
            },
        };
    }
}
