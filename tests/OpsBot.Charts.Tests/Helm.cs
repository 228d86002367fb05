using OpsBot.Testing;

namespace OpsBot.Charts.Tests;

/// <summary>
/// The pinned helm binary (scripts/helm.sh) and a temporary copy of charts/ whose file:// dependencies
/// are built (library, then each service chart, then the umbrella), so the work tree is never touched.
/// Prepared once per test run and shared by every test class.
/// </summary>
public sealed class Helm
{
    public static readonly string[] Services = ["ops-bot", "pnl-ingest", "risk-evaluator", "notifier", "market-feed", "parity-checker"];
    public const string Library = "opsbot-lib";
    public const string Umbrella = "opsbot";

    private static readonly Lazy<Task<Helm>> Shared = new(CreateAsync);

    private Helm(string binary, string charts, string version)
    {
        Binary = binary;
        ChartsDir = charts;
        Version = version;
    }

    public string Binary { get; }
    public string ChartsDir { get; }
    public string Version { get; }

    public static Task<Helm> GetAsync() => Shared.Value;

    public string Chart(string name) => Path.Combine(ChartsDir, name);

    public Task<ProcessResult> RunAsync(params string[] args) => ProcessRunner.RunAsync(Binary, args);

    /// <summary><c>helm template RELEASE CHART ARGS...</c>; the result, whatever the exit code.</summary>
    public Task<ProcessResult> TemplateAsync(string release, string chart, params string[] args) =>
        RunAsync(["template", release, Chart(chart), "--namespace", "opsbot", .. args]);

    /// <summary>Renders and parses; fails the test when helm fails.</summary>
    public async Task<IReadOnlyList<Manifest>> RenderAsync(string release, string chart, params string[] args)
    {
        var result = await TemplateAsync(release, chart, args);
        Assert.True(result.ExitCode == 0, $"helm template {chart} {string.Join(' ', args)}: {result.Describe()}");
        return Manifests.Parse(result.Stdout);
    }

    private static async Task<Helm> CreateAsync()
    {
        var script = await ProcessRunner.RunAsync("bash", [Path.Combine(RepoPaths.Root, "scripts", "helm.sh")]);
        if (script.ExitCode != 0) throw new InvalidOperationException("scripts/helm.sh failed: " + script.Describe());
        var binary = script.Stdout.Trim().Split('\n')[^1];

        var charts = Path.Combine(Path.GetTempPath(), "opsbot-charts-" + Guid.NewGuid().ToString("N")[..8]);
        CopyCharts(Path.Combine(RepoPaths.Root, "charts"), charts);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(charts, true); } catch (IOException) { } };

        foreach (var chart in Services.Append(Umbrella))
        {
            var build = await ProcessRunner.RunAsync(binary, ["dependency", "build", Path.Combine(charts, chart)]);
            if (build.ExitCode != 0) throw new InvalidOperationException($"helm dependency build {chart}: {build.Describe()}");
        }
        var version = await ProcessRunner.RunAsync(binary, ["version", "--short"]);
        return new Helm(binary, charts, version.Stdout.Trim());
    }

    /// <summary>Copies the charts as a fresh clone has them: without built dependencies or lock files.</summary>
    private static void CopyCharts(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Length >= 3 && parts[1] == "charts") continue; // charts/<chart>/charts/*.tgz
            if (parts.Length == 2 && parts[1] == "Chart.lock") continue;
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
