using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Health;

/// <summary>
/// /readyz follows RabbitMQ and (ALERT_ENABLE=true) Redis. Uses its own Redis and RabbitMQ (scripts/infra.sh
/// start in a temporary directory), because it stops and starts them; the shared servers are never touched.
/// </summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readyz_follows_RabbitMQ_and_Redis()
    {
        var infra = new DedicatedInfra();
        await infra.InitializeAsync();
        try
        {
            await using var bot = await BotHost.StartAsync(
                BotHost.Settings(null, ("ALERT_ENABLE", "true"), ("REDIS_URL", infra.RedisUrl), ("RABBITMQ_URL", infra.RabbitMqUrl)),
                realBus: true);

            await WaitReadyzAsync(bot, 200);
            await infra.StopRabbitAsync();
            await WaitReadyzAsync(bot, 503);
            await infra.StartRabbitAsync();
            await WaitReadyzAsync(bot, 200);

            await infra.StopRedisAsync();
            var (_, body) = await WaitReadyzAsync(bot, 503);
            Assert.Contains("\"redis\":{\"status\":\"unhealthy\"", body);
            Assert.Contains("\"rabbitmq\":{\"status\":\"healthy\"", body);
            await infra.StartRedisAsync();
            await WaitReadyzAsync(bot, 200);
        }
        finally
        {
            await infra.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_ALERT_ENABLE_Redis_is_not_needed_for_readiness()
    {
        await using var bot = await BotHost.StartAsync(BotHost.Settings(null, ("ALERT_ENABLE", "false"), ("REDIS_URL", "127.0.0.1:1")));
        var (status, body) = await WaitReadyzAsync(bot, 200);
        Assert.Equal(200, status);
        Assert.DoesNotContain("redis", body);
    }

    private static async Task<(int, string)> WaitReadyzAsync(BotHost bot, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        (int Status, string Body) last = (0, "");
        while (DateTime.UtcNow < deadline)
        {
            try { last = await bot.GetAsync("readyz"); }
            catch (HttpRequestException) { }
            if (last.Status == expected) return last;
            await Task.Delay(250);
        }
        Assert.Fail($"/readyz did not answer {expected} within 90 s; last {last.Status} {last.Body}");
        return last;
    }
}
