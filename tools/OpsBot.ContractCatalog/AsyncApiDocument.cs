using System.Text.Json.Nodes;

namespace OpsBot.ContractCatalog;

/// <summary>
/// An AsyncAPI 3.0 document of OpsBot's events: one channel per exchange (fanout, durable), the
/// message's URN, its payload (MassTransit's envelope with the contract's schema under
/// <c>message</c>) and an example.
/// </summary>
public static class AsyncApiDocument
{
    public static JsonObject Build(IReadOnlyList<(ContractInfo Contract, JsonObject Schema, string[] MessageTypes)> contracts)
    {
        var channels = new JsonObject();
        var operations = new JsonObject();
        var messages = new JsonObject();
        foreach (var (contract, schema, messageTypes) in contracts)
        {
            var id = contract.Type.Name;
            channels[contract.Exchange] = new JsonObject
            {
                ["address"] = contract.Exchange,
                ["description"] = $"Fanout exchange of {id}. Bind a durable queue of your own to it; the routing key is ignored.",
                ["messages"] = new JsonObject { [id] = new JsonObject { ["$ref"] = $"#/components/messages/{id}" } },
                ["bindings"] = new JsonObject
                {
                    ["amqp"] = new JsonObject
                    {
                        ["is"] = "routingKey",
                        ["exchange"] = new JsonObject { ["name"] = contract.Exchange, ["type"] = "fanout", ["durable"] = true, ["autoDelete"] = false, ["vhost"] = "/" },
                        ["bindingVersion"] = "0.3.0",
                    },
                },
            };
            operations[$"publish{id}"] = new JsonObject
            {
                ["action"] = "send",
                ["channel"] = new JsonObject { ["$ref"] = $"#/channels/{EscapePointer(contract.Exchange)}" },
                ["messages"] = new JsonArray(new JsonObject { ["$ref"] = $"#/channels/{EscapePointer(contract.Exchange)}/messages/{id}" }),
            };
            messages[id] = new JsonObject
            {
                ["name"] = contract.Urn,
                ["title"] = id,
                ["contentType"] = "application/vnd.masstransit+json",
                ["payload"] = new JsonObject
                {
                    ["allOf"] = new JsonArray(
                        new JsonObject { ["$ref"] = "#/components/schemas/MassTransitEnvelope" },
                        new JsonObject
                        {
                            ["type"] = "object",
                            ["properties"] = new JsonObject { ["message"] = new JsonObject { ["$ref"] = $"./{contract.SchemaFile}" } },
                        }),
                },
                ["examples"] = new JsonArray(new JsonObject
                {
                    ["name"] = $"{id} example",
                    ["payload"] = ExampleMessageBuilder.Envelope(contract, schema, messageTypes),
                }),
            };
        }

        return new JsonObject
        {
            ["asyncapi"] = "3.0.0",
            ["info"] = new JsonObject
            {
                ["title"] = "OpsBot events",
                ["version"] = "1.0.0",
                ["description"] = "Events OpsBot services publish on RabbitMQ through MassTransit. Generated from contracts/OpsBot.Contracts by scripts/contracts; see docs/contracts.md for the envelope, binding and versioning rules.",
            },
            ["defaultContentType"] = "application/vnd.masstransit+json",
            ["servers"] = new JsonObject
            {
                ["rabbitmq"] = new JsonObject { ["host"] = "rabbitmq:5672", ["protocol"] = "amqp", ["protocolVersion"] = "0.9.1" },
            },
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new JsonObject
            {
                ["messages"] = messages,
                ["schemas"] = new JsonObject { ["MassTransitEnvelope"] = EnvelopeSchema() },
            },
        };
    }

    private static string EscapePointer(string name) => name.Replace("~", "~0").Replace("/", "~1");

    private static JsonObject EnvelopeSchema() => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("messageId", "messageType", "message"),
        ["properties"] = new JsonObject
        {
            ["messageId"] = new JsonObject { ["type"] = "string", ["format"] = "uuid" },
            ["correlationId"] = new JsonObject { ["type"] = "string", ["format"] = "uuid", ["description"] = "equals message.correlationId" },
            ["conversationId"] = new JsonObject { ["type"] = "string", ["format"] = "uuid" },
            ["sourceAddress"] = new JsonObject { ["type"] = "string" },
            ["destinationAddress"] = new JsonObject { ["type"] = "string" },
            ["messageType"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject { ["type"] = "string" },
                ["description"] = "URNs the message can be read as, most specific first (a version-2 message also lists version 1)",
            },
            ["message"] = new JsonObject { ["type"] = "object" },
            ["sentTime"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            ["headers"] = new JsonObject { ["type"] = "object" },
            ["host"] = new JsonObject { ["type"] = "object" },
        },
    };
}
