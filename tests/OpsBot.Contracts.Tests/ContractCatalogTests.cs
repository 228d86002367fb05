using System.Text.Json.Nodes;
using MassTransit;
using OpsBot.ContractCatalog;
using OpsBot.Testing;

namespace OpsBot.Contracts.Tests;

/// <summary>The committed catalogue (docs/contracts) matches the contracts, and the compatibility check catches breaking changes.</summary>
public sealed class ContractCatalogTests
{
    private static readonly string CatalogDirectory = Path.Combine(RepoPaths.Root, "docs", "contracts");

    private static JsonNode Committed(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(CatalogDirectory, file)))!;

    [Fact]
    public void The_committed_catalogue_is_up_to_date_and_no_change_breaks_it()
    {
        var (breaking, stale) = ContractCatalog.ContractCatalog.Check(CatalogDirectory);
        Assert.True(breaking.Count == 0, "breaking changes:\n" + string.Join('\n', breaking));
        Assert.True(stale.Count == 0, "run scripts/contracts --write:\n" + string.Join('\n', stale));
    }

    [Fact]
    public void Every_contract_has_a_stable_versioned_wire_name_and_a_schema_and_an_asyncapi_channel()
    {
        var asyncApi = Committed(ContractCatalog.ContractCatalog.AsyncApiFile);
        Assert.NotEmpty(ContractInfo.All);
        foreach (var contract in ContractInfo.All)
        {
            Assert.Matches(@"^opsbot\.[a-z0-9-]+\.v[0-9]+$", contract.Name);
            Assert.Equal(contract.Name, contract.Exchange);
            Assert.Equal($"urn:message:{contract.Name}", MessageTypeCache.GetMessageTypeNames(contract.Type).First());
            Assert.Equal(contract.Urn, Committed(contract.SchemaFile)["$id"]!.ToString());
            Assert.Equal(contract.Urn, asyncApi["components"]!["messages"]![contract.Type.Name]!["name"]!.ToString());
            Assert.NotNull(asyncApi["channels"]![contract.Exchange]);
            var example = asyncApi["components"]!["messages"]![contract.Type.Name]!["examples"]![0]!["payload"]!;
            Assert.Equal(contract.Urn, example["messageType"]![0]!.ToString());
            Assert.NotNull(example["message"]!["correlationId"]);
        }
    }

    private static readonly JsonNode Published = JsonNode.Parse("""
        {
          "type": "object",
          "properties": {
            "correlationId": { "type": "string", "format": "uuid" },
            "strategy": { "type": "string" },
            "realized": { "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$" },
            "severity": { "enum": ["info", "warning", "critical"] },
            "labels": { "type": "object", "additionalProperties": { "type": "string" } }
          },
          "required": ["correlationId", "strategy", "realized"]
        }
        """)!;

    private static IReadOnlyList<string> BreaksAfter(Action<JsonObject> change)
    {
        var proposed = Published.DeepClone().AsObject();
        change(proposed);
        return SchemaCompatibilityChecker.Breaks("PnlUpdated", Published, proposed);
    }

    [Fact]
    public void An_additive_optional_field_is_compatible() =>
        Assert.Empty(BreaksAfter(s => s["properties"]!.AsObject()["venue"] = new JsonObject { ["type"] = "string" }));

    [Fact]
    public void A_removed_field_breaks_and_the_message_names_contract_and_field() =>
        Assert.Equal(["PnlUpdated field 'strategy': removed or renamed"], BreaksAfter(s => s["properties"]!.AsObject().Remove("strategy")));

    [Fact]
    public void A_renamed_field_breaks()
    {
        var breaks = BreaksAfter(s =>
        {
            var properties = s["properties"]!.AsObject();
            var value = properties["strategy"]!.DeepClone();
            properties.Remove("strategy");
            properties["strategyName"] = value;
            s["required"] = new JsonArray("correlationId", "strategyName", "realized");
        });
        Assert.Contains("PnlUpdated field 'strategy': removed or renamed", breaks);
        Assert.Contains("PnlUpdated field 'strategyName': added as required (new fields must be optional)", breaks);
    }

    [Fact]
    public void A_changed_type_breaks_also_inside_a_map() 
    {
        Assert.Contains("PnlUpdated field 'realized': type changed from string to number",
            BreaksAfter(s => s["properties"]!["realized"] = new JsonObject { ["type"] = "number" }));
        Assert.Contains("PnlUpdated field 'labels[values]': type changed from string to number",
            BreaksAfter(s => s["properties"]!["labels"]!["additionalProperties"] = new JsonObject { ["type"] = "number" }));
    }

    [Fact]
    public void A_newly_required_field_breaks()
    {
        Assert.Equal(["PnlUpdated field 'severity': became required"],
            BreaksAfter(s => s["required"]!.AsArray().Add("severity")));
        Assert.Equal(["PnlUpdated field 'venue': added as required (new fields must be optional)"], BreaksAfter(s =>
        {
            s["properties"]!.AsObject()["venue"] = new JsonObject { ["type"] = "string" };
            s["required"]!.AsArray().Add("venue");
        }));
    }

    [Fact]
    public void A_removed_enumeration_value_breaks() =>
        Assert.Equal(["PnlUpdated field 'severity': enumeration value \"info\" was removed"],
            BreaksAfter(s => s["properties"]!["severity"] = new JsonObject { ["enum"] = new JsonArray("warning", "critical") }));

    [Fact]
    public void A_deliberately_broken_csharp_contract_fails_against_the_committed_schema()
    {
        var broken = ContractSchemaGenerator.Generate(ContractInfo.From(typeof(Broken.PnlUpdated)));
        var breaks = SchemaCompatibilityChecker.Breaks("PnlUpdated", Committed("opsbot.pnl-updated.v1.schema.json"), broken);
        Assert.Contains("PnlUpdated field 'unrealized': removed or renamed", breaks);
        Assert.Contains("PnlUpdated field 'realized': type changed from string to number", breaks);
        Assert.Contains("PnlUpdated field 'desk': added as required (new fields must be optional)", breaks);
    }
}
