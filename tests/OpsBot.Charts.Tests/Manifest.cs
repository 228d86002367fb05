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
