using System.Text;
using YamlDotNet.RepresentationModel;

namespace OpsBot.Charts.Tests;

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
