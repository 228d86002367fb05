using System.Text.RegularExpressions;
using OpsBot.Testing;

namespace OpsBot.ServiceDefaults.Tests;

/// <summary>
/// Issue 15 item 4: every setting name is defined once, in a <c>…SettingNames</c> class — the shared ones in
/// ServiceDefaults' <c>SettingNames</c>, each service's own in its class — and read through it, never as a literal.
/// Before, the names were spread over eight files: ops-bot's <c>BotSettingNames</c> redefined SLACK_BOT_TOKEN,
/// SLACK_API_URL, ALERT_ENABLE and REDIS_URL, and options records carried their own constants; this test failed there.
/// It reads the sources, because a constant is compiled into its readers and leaves no trace to inspect at run time.
/// </summary>
public sealed partial class SettingNamesTests
{
    [Fact]
    public void Every_setting_of_the_README_is_defined_once_in_a_SettingNames_class()
    {
        var names = ReadmeSettingNames();
        Assert.True(names.Count > 50, $"the README's settings table gave only {names.Count} names");

        var definitions = Sources()
            .SelectMany(file =>
            {
                var text = File.ReadAllText(file);
                return ConstantPattern().Matches(text)
                    .Where(m => names.Contains(m.Groups["value"].Value))
                    .Select(m => (Name: m.Groups["value"].Value, Class: EnclosingClass(text, m.Index), File: Path.GetRelativePath(RepoPaths.Root, file)));
            })
            .ToList();

        var problems = names
            .Select(name => (Name: name, Where: definitions.Where(d => d.Name == name).ToList()))
            .Where(n => n.Where.Count != 1 || !n.Where[0].Class.EndsWith("SettingNames", StringComparison.Ordinal))
            .Select(n => $"{n.Name}: {(n.Where.Count == 0 ? "not defined" : string.Join(", ", n.Where.Select(w => $"{w.Class} ({w.File})")))}")
            .ToList();
        Assert.True(problems.Count == 0, "each setting must be defined exactly once, in a …SettingNames class:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void No_service_reads_a_setting_by_a_literal_name()
    {
        var literals = Sources()
            .SelectMany(file => LiteralReadPattern().Matches(File.ReadAllText(file)).Select(m => $"{Path.GetRelativePath(RepoPaths.Root, file)}: {m.Value}"))
            .ToList();
        Assert.True(literals.Count == 0, "read settings through the SettingNames constants:\n" + string.Join('\n', literals));
    }

    /// <summary>The first column of the README's configuration table: one or more <c>`NAME`</c>s a row.</summary>
    private static HashSet<string> ReadmeSettingNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.Root, "README.md")))
        {
            if (!line.StartsWith("| `", StringComparison.Ordinal)) continue;
            var firstCell = line[1..line.IndexOf('|', 1)];
            foreach (Match m in SettingNamePattern().Matches(firstCell)) names.Add(m.Groups[1].Value);
        }
        return names;
    }

    /// <summary>The services' and their libraries' sources (services/ and libs/).</summary>
    private static IEnumerable<string> Sources() =>
        new[] { "services", "libs" }
            .Select(dir => Path.Combine(RepoPaths.Root, dir))
            .Where(Directory.Exists)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    private static string EnclosingClass(string text, int index) =>
        ClassPattern().Matches(text[..index]).LastOrDefault()?.Groups[1].Value ?? "(no class)";

    [GeneratedRegex(@"`([A-Z][A-Z0-9_]+)`")]
    private static partial Regex SettingNamePattern();

    [GeneratedRegex(@"const string \w+ = ""(?<value>[A-Z][A-Z0-9_]+)"";")]
    private static partial Regex ConstantPattern();

    [GeneratedRegex(@"class (\w+)")]
    private static partial Regex ClassPattern();

    [GeneratedRegex(@"settings\.\w+\(\s*""[A-Z][A-Z0-9_]+""")]
    private static partial Regex LiteralReadPattern();
}
