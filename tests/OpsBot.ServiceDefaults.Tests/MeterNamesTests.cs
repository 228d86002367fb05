using System.Text.RegularExpressions;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;

namespace OpsBot.ServiceDefaults.Tests;

/// <summary>
/// Issue 15 item 4: meter names follow one scheme (docs/observability.md) — a meter is <c>OpsBot.&lt;Assembly&gt;</c> of the
/// assembly that owns it, an instrument <c>opsbot.&lt;area&gt;.&lt;what&gt;</c> with its owner's area — and that page lists
/// every instrument. Before, the notifier's meter was <c>OpsBot.notifier</c>, ops-bot's <c>OpsBot.OpsBot.Slack</c> and
/// risk-evaluator had a second meter <c>OpsBot.RiskEvaluator.Partitions</c>; this test failed there. It reads the sources
/// (a meter's name is only visible once something listens to it).
/// </summary>
public sealed partial class MeterNamesTests
{
    /// <summary>The area of each assembly's instruments (docs/observability.md).</summary>
    private static readonly Dictionary<string, string> Areas = new(StringComparer.Ordinal)
    {
        ["OpsBot.PnlIngest"] = "pnl",
        ["OpsBot.RiskEvaluator"] = "risk",
        ["OpsBot.Notifier"] = "notifier",
        ["OpsBot.Bot"] = "slack",
        ["OpsBot.MarketFeed"] = "feed",
        ["OpsBot.ParityChecker"] = "parity",
        ["OpsBot.PlatformMetrics"] = "platform_metrics",
    };

    [Fact]
    public void Every_meter_is_named_after_its_assembly()
    {
        var meters = Sources().SelectMany(f => CreateMeterPattern().Matches(f.Text).Select(m => (f.File, f.Assembly, Meter: OpsBotMetrics.MeterPrefix + m.Groups[1].Value))).ToList();
        Assert.True(meters.Count >= Areas.Count, $"found only {meters.Count} meters");
        Assert.All(meters, m => Assert.True(m.Meter == m.Assembly, $"{m.File}: meter {m.Meter} in assembly {m.Assembly}"));
        Assert.All(meters, m => Assert.Contains(m.Assembly, (IReadOnlyDictionary<string, string>)Areas));

        var bare = Sources().Where(f => f.Text.Contains("new Meter(", StringComparison.Ordinal) && !f.File.EndsWith("OpsBotMetrics.cs", StringComparison.Ordinal)).Select(f => f.File).ToList();
        Assert.True(bare.Count == 0, "create meters through OpsBotMetrics.CreateMeter: " + string.Join(", ", bare));
    }

    [Fact]
    public void Every_instrument_follows_the_scheme_and_is_listed_in_docs_observability()
    {
        var page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "observability.md"));
        var instruments = Sources().SelectMany(f => InstrumentPattern().Matches(f.Text).Select(m => (f.File, f.Assembly, Name: m.Groups["name"].Value))).ToList();
        Assert.True(instruments.Count > 30, $"found only {instruments.Count} instruments");

        var problems = new List<string>();
        foreach (var (file, assembly, name) in instruments)
        {
            var area = Areas.GetValueOrDefault(assembly, "?");
            if (!SchemePattern().IsMatch(name) || !name.StartsWith($"opsbot.{area}.", StringComparison.Ordinal))
                problems.Add($"{file}: {name} is not opsbot.{area}.<what> (lower case, words joined by _)");
            if (!page.Contains($"`{name}`", StringComparison.Ordinal))
                problems.Add($"{file}: {name} is not listed in docs/observability.md");
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("notifier")]
    [InlineData("OpsBot.Slack")]
    [InlineData("")]
    public void CreateMeter_refuses_a_name_outside_the_scheme(string name) =>
        Assert.Throws<ArgumentException>(() => OpsBotMetrics.CreateMeter(name));

    /// <summary>The services' and libraries' sources with the assembly each belongs to (the nearest .csproj above it).</summary>
    private static IEnumerable<(string File, string Assembly, string Text)> Sources() =>
        new[] { "services", "libs" }
            .Select(dir => Path.Combine(RepoPaths.Root, dir))
            .Where(Directory.Exists)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Path.GetRelativePath(RepoPaths.Root, f), AssemblyOf(f), File.ReadAllText(f)));

    private static string AssemblyOf(string file)
    {
        for (var dir = Path.GetDirectoryName(file); dir is not null; dir = Path.GetDirectoryName(dir))
            if (Directory.EnumerateFiles(dir, "*.csproj").FirstOrDefault() is { } project) return Path.GetFileNameWithoutExtension(project);
        return "(no project)";
    }

    [GeneratedRegex(@"OpsBotMetrics\.CreateMeter\(""([^""]*)""\)")]
    private static partial Regex CreateMeterPattern();

    [GeneratedRegex(@"\.Create(?:Counter|UpDownCounter|Histogram|Gauge|ObservableGauge|ObservableCounter|ObservableUpDownCounter)(?:<\w+>)?\(\s*""(?<name>[^""]+)""")]
    private static partial Regex InstrumentPattern();

    [GeneratedRegex(@"^opsbot(\.[a-z][a-z0-9_]*){2,}$")]
    private static partial Regex SchemePattern();
}
