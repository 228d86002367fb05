using System.Text;
using YamlDotNet.RepresentationModel;

namespace OpsBot.Charts.Tests;

/// <summary>One rendered Kubernetes object, navigable by dotted paths ("spec.template.spec.containers").</summary>
public sealed class Manifest(YamlMappingNode root, string text)
{
    public YamlMappingNode Root { get; } = root;
    public string Text { get; } = text;
    public string Kind => Scalar("kind")!;
    public string Name => Scalar("metadata.name")!;

    public YamlNode? Node(string path) => Manifests.Walk(Root, path);
    public string? Scalar(string path) => (Node(path) as YamlScalarNode)?.Value;
    public YamlMappingNode Map(string path) => Node(path) as YamlMappingNode ?? throw new KeyNotFoundException($"{Kind}/{Name}: no map at {path}");
    public YamlSequenceNode Seq(string path) => Node(path) as YamlSequenceNode ?? throw new KeyNotFoundException($"{Kind}/{Name}: no list at {path}");

    public IReadOnlyDictionary<string, string> StringMap(string path) =>
        Node(path) is YamlMappingNode map
            ? map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "")
            : new Dictionary<string, string>();

    /// <summary>The Deployment's one container.</summary>
    public YamlMappingNode Container => (YamlMappingNode)Seq("spec.template.spec.containers").Children.Single();

    public override string ToString() => $"{Kind}/{Name}";
}

public static class Manifests
{
    /// <summary>Splits helm's multi-document output on "---" lines and parses each non-empty document.</summary>
    public static IReadOnlyList<Manifest> Parse(string yaml)
    {
        var documents = new List<Manifest>();
        var current = new StringBuilder();
        foreach (var line in yaml.Split('\n'))
        {
            if (line.TrimEnd() == "---") { Flush(); continue; }
            current.Append(line).Append('\n');
        }
        Flush();
        return documents;

        void Flush()
        {
            var text = current.ToString();
            current.Clear();
            if (text.Split('\n').All(l => l.Trim().Length == 0 || l.TrimStart().StartsWith('#'))) return;
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return;
            documents.Add(new Manifest(root, text));
        }
    }

    public static YamlNode? Walk(YamlNode node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(part), out var next)) return null;
            node = next;
        }
        return node;
    }

    public static string? Scalar(this YamlNode node, string path) => (Walk(node, path) as YamlScalarNode)?.Value;

    public static Manifest Single(this IEnumerable<Manifest> manifests, string kind, string name) =>
        manifests.SingleOrDefault(m => m.Kind == kind && m.Name == name)
        ?? throw new KeyNotFoundException($"no {kind}/{name} among: {string.Join(", ", manifests)}");

    public static IEnumerable<Manifest> OfKind(this IEnumerable<Manifest> manifests, string kind) => manifests.Where(m => m.Kind == kind);
}
