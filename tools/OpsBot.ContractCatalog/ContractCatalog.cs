using System.Text.Json.Nodes;
using MassTransit;

namespace OpsBot.ContractCatalog;

/// <summary>Generates the catalogue (one schema per contract + asyncapi.json) and checks it against the committed one.</summary>
public static class ContractCatalog
{
    public const string AsyncApiFile = "asyncapi.json";

    /// <summary>Every file of the catalogue, by file name, as it would be written now.</summary>
    public static IReadOnlyDictionary<string, string> Generate()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(ContractInfo, JsonObject, string[])>();
        foreach (var contract in ContractInfo.All)
        {
            var schema = ContractSchemaGenerator.Generate(contract);
            files[contract.SchemaFile] = ContractSchemaGenerator.Serialize(schema);
            entries.Add((contract, schema, MessageTypesOf(contract.Type)));
        }
        files[AsyncApiFile] = ContractSchemaGenerator.Serialize(AsyncApiDocument.Build(entries));
        return files;
    }

    /// <summary>The URNs MassTransit puts in the envelope's <c>messageType</c> for this type.</summary>
    public static string[] MessageTypesOf(Type type) =>
        (string[])typeof(MessageTypeCache<>).MakeGenericType(type).GetProperty("MessageTypeNames")!.GetValue(null)!;

    /// <summary>
    /// Problems between the committed catalogue in <paramref name="directory"/> and the contracts now:
    /// breaking changes (always an error), and files that are merely out of date (regenerate).
    /// </summary>
    public static (IReadOnlyList<string> Breaking, IReadOnlyList<string> Stale) Check(string directory)
    {
        var breaking = new List<string>();
        var stale = new List<string>();
        var generated = Generate();
        foreach (var contract in ContractInfo.All)
        {
            var path = Path.Combine(directory, contract.SchemaFile);
            if (!File.Exists(path))
            {
                stale.Add($"{contract.SchemaFile} is missing (a new contract?)");
                continue;
            }
            var committed = File.ReadAllText(path);
            breaking.AddRange(SchemaCompatibilityChecker.Breaks(contract.Type.Name, JsonNode.Parse(committed)!, JsonNode.Parse(generated[contract.SchemaFile])!));
            if (committed != generated[contract.SchemaFile]) stale.Add($"{contract.SchemaFile} differs from the generated schema");
        }
        foreach (var file in Directory.Exists(directory) ? Directory.GetFiles(directory, "*.schema.json") : [])
        {
            var name = Path.GetFileName(file);
            if (!generated.ContainsKey(name)) breaking.Add($"{name}: the contract was removed; published contracts are never removed, only superseded by a new version");
        }
        var asyncApi = Path.Combine(directory, AsyncApiFile);
        if (!File.Exists(asyncApi) || File.ReadAllText(asyncApi) != generated[AsyncApiFile]) stale.Add($"{AsyncApiFile} differs from the generated document");
        return (breaking, stale);
    }

    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in Generate()) File.WriteAllText(Path.Combine(directory, name), content);
    }
}
