using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Health;

/// <summary>
/// /readyz follows RabbitMQ and (ALERT_ENABLE=true) Redis. Uses its own Redis and RabbitMQ (scripts/infra.sh
/// start in a temporary directory), because it stops and starts them; the shared servers are never touched.
/// </summary>
[Collection(InfraFixture.SecondLane)]
public sealed class ReadinessTests(InfraFixture infra)
{
    [Fact]
    public async Task Readyz_follows_RabbitMQ_and_Redis()
    {
        var own = new DedicatedInfra();
        await own.InitializeAsync();
        try
        {
            await using var bot = await BotHost.StartAsync(
                BotHost.Settings(null, ("ALERT_ENABLE", "true"), ("REDIS_URL", own.RedisUrl), ("RABBITMQ_URL", own.RabbitMqUrl)));

            await WaitReadyzAsync(bot, 200);
            await own.StopRabbitAsync();
            await WaitReadyzAsync(bot, 503);
            await own.StartRabbitAsync();
            await WaitReadyzAsync(bot, 200);

            await own.StopRedisAsync();
            var (_, body) = await WaitReadyzAsync(bot, 503);
            Assert.Contains("\"redis\":{\"status\":\"unhealthy\"", body);
            Assert.Contains("\"rabbitmq\":{\"status\":\"healthy\"", body);
            await own.StartRedisAsync();
            await WaitReadyzAsync(bot, 200);
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_ALERT_ENABLE_Redis_is_not_needed_for_readiness()
    {
        var vhost = await infra.CreateVirtualHostAsync();
        await using var bot = await BotHost.StartAsync(BotHost.Settings(null, ("ALERT_ENABLE", "false"), ("REDIS_URL", BotHost.NoRedis), ("RABBITMQ_URL", vhost)));
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
