namespace OpsBot.Charts.Tests;

public sealed class ChartLintTests
{
    public static TheoryData<string> AllCharts => new([Helm.Library, .. Helm.Services, Helm.Umbrella]);

    [Theory]
    [MemberData(nameof(AllCharts))]
    public async Task Helm_lint_strict_passes(string chart)
    {
        var helm = await Helm.GetAsync();
        var result = await helm.RunAsync("lint", "--strict", helm.Chart(chart));
        // Some helm versions refuse to lint a library chart on its own; its templates are linted
        // through every service chart that includes them.
        if (chart == Helm.Library && result.ExitCode != 0 && result.Stdout.Contains("library chart", StringComparison.OrdinalIgnoreCase))
            return;
        Assert.True(result.ExitCode == 0, $"helm lint --strict {chart} ({helm.Version}): {result.Describe()}");
        Assert.DoesNotContain("[WARNING]", result.Stdout);
        Assert.DoesNotContain("[ERROR]", result.Stdout);
    }

    [Fact]
    public async Task Helm_lint_strict_passes_for_the_umbrella_with_its_subcharts_and_the_operations_guide_values()
    {
        var helm = await Helm.GetAsync();
        var umbrella = await helm.RunAsync("lint", "--strict", "--with-subcharts", helm.Chart(Helm.Umbrella));
        Assert.True(umbrella.ExitCode == 0, umbrella.Describe());
        var guide = await helm.RunAsync(["lint", "--strict", helm.Chart("ops-bot"), .. GuideInstall.Args()]);
        Assert.True(guide.ExitCode == 0, guide.Describe());
    }

    [Fact]
    public async Task Helm_is_the_pinned_version_4()
    {
        var helm = await Helm.GetAsync();
        Assert.StartsWith("v4.", helm.Version);
        Assert.Contains(Path.Combine(".tools", "helm", "2.2.2"), helm.Binary);
    }
}
