using OpsBot.Testing;

namespace OpsBot.Charts.Tests;

public sealed class ChartSchemaTests
{
    [Theory]
    [InlineData("ops-bot", "imagee.tag=x")]
    [InlineData("ops-bot", "envv.SLACK_BOT_TOKEN=x")]
    [InlineData("ops-bot", "image.tagg=x")]
    [InlineData("notifier", "autoscaling.enable=true")]
    [InlineData("risk-evaluator", "podDisruptionBudget.maxUnavaliable=1")]
    [InlineData("opsbot", "ops-bot.imagee.tag=x")]
    [InlineData("opsbot", "notifer.replicaCount=2")]
    [InlineData("opsbot", "global.existingSecrets=x")]
    public async Task A_misspelt_key_is_rejected(string chart, string set)
    {
        var helm = await Helm.GetAsync();
        var result = await helm.TemplateAsync("r", chart, "--set", set);
        Assert.True(result.ExitCode != 0, $"--set {set} was accepted by {chart}");
        Assert.Contains("additional properties", result.Stderr);
    }

    [Theory]
    [InlineData("ops-bot", "replicaCount=abc")]
    [InlineData("ops-bot", "healthPort=http")]
    [InlineData("ops-bot", "image.pullPolicy=Sometimes")]
    [InlineData("ops-bot", "autoscaling.enabled=yes-please")]
    [InlineData("ops-bot", "env.SLACK_ALERT_CHANNEL[0]=C1")]
    [InlineData("ops-bot", "env.bad-name=x")]
    [InlineData("opsbot", "notifier.replicaCount=abc")]
    [InlineData("opsbot", "risk-evaluator.enabled=maybe")]
    public async Task A_mistyped_value_is_rejected(string chart, string set)
    {
        var helm = await Helm.GetAsync();
        var result = await helm.TemplateAsync("r", chart, "--set", set);
        Assert.True(result.ExitCode != 0, $"--set {set} was accepted by {chart}");
        Assert.Contains("schema", result.Stderr);
    }

    [Fact]
    public async Task Every_service_chart_has_the_library_schema_and_one_line_templates()
    {
        var charts = Path.Combine(RepoPaths.Root, "charts");
        var canonical = await File.ReadAllTextAsync(Path.Combine(charts, Helm.Library, "values.service.schema.json"));
        foreach (var service in Helm.Services)
        {
            var schema = await File.ReadAllTextAsync(Path.Combine(charts, service, "values.schema.json"));
            Assert.True(canonical == schema, $"charts/{service}/values.schema.json differs from charts/opsbot-lib/values.service.schema.json: copy it");

            foreach (var template in Directory.EnumerateFiles(Path.Combine(charts, service, "templates")))
            {
                var text = (await File.ReadAllTextAsync(template)).Trim();
                Assert.Matches(@"^\{\{-? include ""opsbot-lib\.[a-z]+"" \. \}\}$", text);
            }
            foreach (var required in new[] { "deployment", "service", "configmap", "secret", "pdb", "hpa", "servicemonitor" })
                Assert.True(File.Exists(Path.Combine(charts, service, "templates", required + ".yaml")), $"charts/{service}/templates/{required}.yaml");
        }
    }
}
