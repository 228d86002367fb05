using System.Text.Json.Nodes;

namespace OpsBot.ContractCatalog;

/// <summary>
/// Compares a published schema with a new one and lists what would break a consumer of the
/// published one: a removed (or renamed) field, a changed type or format, a field that became
/// required, a narrowed enumeration. Additive optional fields are compatible.
/// </summary>
public static class SchemaCompatibilityChecker
{
    public static IReadOnlyList<string> Breaks(string contract, JsonNode published, JsonNode proposed)
    {
        var problems = new List<string>();
        Compare(contract, "", published, proposed, problems);
        return problems;
    }

    private static void Compare(string contract, string path, JsonNode? published, JsonNode? proposed, List<string> problems)
    {
        if (published is not JsonObject old || proposed is not JsonObject now) return;
        var where = path.Length == 0 ? contract : $"{contract} field '{path}'";

        var oldType = TypeOf(old);
        var newType = TypeOf(now);
        if (oldType != newType)
            problems.Add($"{where}: type changed from {oldType} to {newType}");
        if (old["format"]?.ToString() != now["format"]?.ToString())
            problems.Add($"{where}: format changed from {old["format"]?.ToString() ?? "none"} to {now["format"]?.ToString() ?? "none"}");
        if (old["pattern"]?.ToString() != now["pattern"]?.ToString())
            problems.Add($"{where}: pattern changed");
        if (old["enum"] is JsonArray oldEnum && now["enum"] is JsonArray newEnum)
        {
            var kept = newEnum.Select(v => v?.ToJsonString()).ToHashSet();
            foreach (var value in oldEnum.Select(v => v?.ToJsonString()).Where(v => !kept.Contains(v)))
                problems.Add($"{where}: enumeration value {value} was removed");
        }

        var oldRequired = Names(old["required"]);
        var newRequired = Names(now["required"]);
        var oldProperties = old["properties"] as JsonObject;
        var newProperties = now["properties"] as JsonObject;
        if (oldProperties is not null)
        {
            foreach (var (name, schema) in oldProperties)
            {
                var field = path.Length == 0 ? name : $"{path}.{name}";
                if (newProperties?[name] is not { } replacement)
                {
                    problems.Add($"{contract} field '{field}': removed or renamed");
                    continue;
                }
                Compare(contract, field, schema, replacement, problems);
            }
        }
        foreach (var name in newRequired.Except(oldRequired))
        {
            var field = path.Length == 0 ? name : $"{path}.{name}";
            problems.Add(oldProperties?.ContainsKey(name) == true
                ? $"{contract} field '{field}': became required"
                : $"{contract} field '{field}': added as required (new fields must be optional)");
        }

        Compare(contract, path.Length == 0 ? "[values]" : path + "[values]", old["additionalProperties"], now["additionalProperties"], problems);
        Compare(contract, path.Length == 0 ? "[items]" : path + "[items]", old["items"], now["items"], problems);
    }

    private static string TypeOf(JsonObject schema) => schema["type"] switch
    {
        JsonArray types => string.Join("|", types.Select(t => t?.ToString()).Order()),
        JsonNode type => type.ToString(),
        null => "any",
    };

    private static HashSet<string> Names(JsonNode? array) =>
        array is JsonArray items ? items.Select(i => i!.ToString()).ToHashSet() : [];
}
