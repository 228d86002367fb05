using StackExchange.Redis;
using Xunit;

namespace OpsBot.Testing;

/// <summary>
/// Redis and RabbitMQ of a test's own (other tests share <see cref="InfraFixture"/>'s), so the test may
/// stop and restart them: <c>scripts/infra.sh stop-rabbit|start-rabbit|stop-redis|start-redis</c> keep
/// ports and data.
/// </summary>
public sealed class DedicatedInfra : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"opsbot-dedicated-{Guid.NewGuid():N}");

    public string RedisUrl { get; private set; } = "";
    public string RabbitMqUrl { get; private set; } = "";
    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var exports = InfraFixture.ParseExports(await InfraFixture.RunInfraScript("start", _dir));
        RedisUrl = exports["REDIS_URL"];
        RabbitMqUrl = exports["RABBITMQ_URL"];
        Redis = await ConnectionMultiplexer.ConnectAsync(RedisUrl + ",abortConnect=false,connectRetry=20");
    }

    public Task StopRabbitAsync() => InfraFixture.RunInfraScript("stop-rabbit", _dir);
    public Task StartRabbitAsync() => InfraFixture.RunInfraScript("start-rabbit", _dir);
    public Task StopRedisAsync() => InfraFixture.RunInfraScript("stop-redis", _dir);
    public Task StartRedisAsync() => InfraFixture.RunInfraScript("start-redis", _dir);

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await InfraFixture.RunInfraScript("stop", _dir);
    }
}
