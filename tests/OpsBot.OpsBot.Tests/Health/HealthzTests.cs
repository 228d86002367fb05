using Microsoft.Extensions.Time.Testing;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.PlatformMetrics;

namespace OpsBot.OpsBot.Tests.Health;

/// <summary>/healthz follows the platform's metrics: no-data until a good scrape, ok within METRICS_FRESHNESS, no-data again when they break.</summary>
public sealed class HealthzTests
{
    [Fact]
    public async Task Healthz_goes_from_no_data_to_ok_and_back_through_garbage_500_and_timeout()
    {
        await using var metrics = new FakeMetricsServer();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bot = await BotHost.StartAsync(
            BotHost.Settings(null, ("METRICS_URL", metrics.Url.ToString()), ("METRICS_SCRAPE_INTERVAL", "30"), ("METRICS_FRESHNESS", "60"), ("METRICS_SCRAPE_TIMEOUT", "2")),
            services => services.AddSingleton<TimeProvider>(time));
        var runner = bot.Get<MetricsScrapeRunner>();
        var window = TimeSpan.FromSeconds(61);

        Assert.Equal(ScrapeFailure.Unreachable, (await runner.RunOnceAsync(default)).Failure); // endpoint not there yet
        await AssertHealthzAsync(bot, "no-data");

        await metrics.StartAsync(); // it appears
        Assert.True((await runner.RunOnceAsync(default)).Succeeded);
        await AssertHealthzAsync(bot, "ok");

        foreach (var (mode, failure) in new[] { (MetricsMode.Garbage, ScrapeFailure.NoSamples), (MetricsMode.ServerError, ScrapeFailure.HttpStatus), (MetricsMode.Hang, ScrapeFailure.Timeout) })
        {
            metrics.Mode = mode; // it breaks
            Assert.Equal(failure, (await runner.RunOnceAsync(default)).Failure);
            await AssertHealthzAsync(bot, "ok"); // still inside the freshness window
            time.Advance(window);
            Assert.Equal(failure, (await runner.RunOnceAsync(default)).Failure);
            await AssertHealthzAsync(bot, "no-data");

            metrics.Mode = MetricsMode.Ok; // and returns
            Assert.True((await runner.RunOnceAsync(default)).Succeeded);
            await AssertHealthzAsync(bot, "ok");
        }

        await metrics.StopAsync(); // it goes away
        time.Advance(window);
        Assert.Equal(ScrapeFailure.Unreachable, (await runner.RunOnceAsync(default)).Failure);
        await AssertHealthzAsync(bot, "no-data");
    }

    [Fact]
    public async Task The_Quartz_schedule_scrapes_on_its_own()
    {
        await using var metrics = new FakeMetricsServer();
        await using var bot = await BotHost.StartAsync(
            BotHost.Settings(null, ("METRICS_URL", metrics.Url.ToString()), ("METRICS_SCRAPE_INTERVAL", "0.2"), ("METRICS_FRESHNESS", "1"), ("METRICS_SCRAPE_TIMEOUT", "0.5")));

        await AssertHealthzAsync(bot, "no-data");
        await metrics.StartAsync();
        await WaitHealthzAsync(bot, "ok");
        metrics.Mode = MetricsMode.ServerError;
        await WaitHealthzAsync(bot, "no-data");
        metrics.Mode = MetricsMode.Ok;
        await WaitHealthzAsync(bot, "ok");
        Assert.True(metrics.Requests >= 3);

        var (_, status) = await SlacklessStatusAsync(bot);
        Assert.Contains("platform metrics: *ok*", status);
        Assert.Contains("kill switch venue-a: *ENGAGED* (from the metrics)", status);
    }

    private static async Task<(int, string)> SlacklessStatusAsync(BotHost bot)
    {
        var reply = await bot.Get<global::OpsBot.Bot.Commands.SlashCommandProcessor>().AnswerAsync(
            new global::OpsBot.Bot.Slack.SlashCommandRequest("/ops", "status", "U1", "C1", null, "T1"), default);
        return (200, reply.Text);
    }

    private static async Task AssertHealthzAsync(BotHost bot, string expected)
    {
        var (status, body) = await bot.GetAsync("healthz");
        Assert.Equal(200, status); // 200 both ways: liveness never restarts the bot for an upstream outage
        Assert.Equal($$"""{"status":"{{expected}}"}""", body);
    }

    private static async Task WaitHealthzAsync(BotHost bot, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if ((await bot.GetAsync("healthz")).Body.Contains($"\"{expected}\"")) return;
            await Task.Delay(100);
        }
        await AssertHealthzAsync(bot, expected);
    }
}
