using OpsBot.Testing;
using StackExchange.Redis;

namespace OpsBot.Tests.Faults;

/// <summary>
/// Redis and RabbitMQ of a fault test's own (other tests share theirs), so the test may stop and
/// restart them: <c>scripts/infra.sh stop-rabbit|start-rabbit|stop-redis|start-redis</c> keep ports and data.
/// </summary>
public sealed class DedicatedInfra : IAsyncLifetime
{
    private readonly InfraFixture _script = new(); // used only to run scripts/infra.sh
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"opsbot-fault-{Guid.NewGuid():N}");

    public string RedisUrl { get; private set; } = "";
    public string RabbitMqUrl { get; private set; } = "";
    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var exports = (await _script.Script("start", _dir)).Split('\n')
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);
        RedisUrl = exports["REDIS_URL"];
        RabbitMqUrl = exports["RABBITMQ_URL"];
        Redis = await ConnectionMultiplexer.ConnectAsync(RedisUrl + ",abortConnect=false,connectRetry=20");
    }

    public Task StopRabbitAsync() => _script.Script("stop-rabbit", _dir);
    public Task StartRabbitAsync() => _script.Script("start-rabbit", _dir);
    public Task StopRedisAsync() => _script.Script("stop-redis", _dir);
    public Task StartRedisAsync() => _script.Script("start-redis", _dir);

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await _script.Script("stop", _dir);
    }
}
