using StackExchange.Redis;
using Xunit;

namespace OpsBot.Testing;

/// <summary>
/// Redis and RabbitMQ of a test's own (other tests share <see cref="InfraFixture"/>'s), so the test may
/// stop and restart them: <c>scripts/infra.sh stop-rabbit|start-rabbit|stop-redis|start-redis</c> keep
/// ports and data. With <c>cluster: true</c> RabbitMQ is a 3-node cluster on loopback
/// (<c>scripts/infra.sh start-cluster</c>): <see cref="RabbitMqUrl"/> names all three nodes, and
/// <see cref="StopNodeAsync"/> / <see cref="StartNodeAsync"/> stop and restart one of them.
/// With <c>ownRabbitMq: false</c> (a test that stops only Redis) only Redis is its own; RabbitMQ is a virtual host of
/// the servers scripts/test.sh started (a RabbitMQ start and stop less: each costs several seconds of both cores),
/// or, when no servers were started for the suite, a RabbitMQ of its own as before.
/// </summary>
public sealed class DedicatedInfra(bool cluster = false, bool ownRabbitMq = true) : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"opsbot-dedicated-{Guid.NewGuid():N}");
    private string? _sharedVirtualHost;


    public string RedisUrl { get; private set; } = "";
    public string RabbitMqUrl { get; private set; } = "";
    public ConnectionMultiplexer Redis { get; private set; } = null!;

    /// <summary>Cluster only: the Erlang node names by number (1-3), e.g. <c>opsbot123-1@localhost</c>.</summary>
    public IReadOnlyDictionary<int, string> Nodes { get; private set; } = new Dictionary<int, string>();

    /// <summary>Cluster only: the AMQP port of each node by number.</summary>
    public IReadOnlyDictionary<int, int> NodePorts { get; private set; } = new Dictionary<int, int>();

    public async Task InitializeAsync()
    {
        var sharedDir = Environment.GetEnvironmentVariable("OPSBOT_INFRA_DIR");
        var sharedRabbitMq = Environment.GetEnvironmentVariable("RABBITMQ_URL");
        if (!ownRabbitMq && !cluster && !string.IsNullOrEmpty(sharedDir) && !string.IsNullOrEmpty(sharedRabbitMq))
        {
            RedisUrl = InfraFixture.ParseExports(await InfraFixture.RunInfraScript("start-redis-only", _dir))["REDIS_URL"];
            _sharedVirtualHost = $"dedicated-{Guid.NewGuid():N}";
            await InfraFixture.RunInfraScript("add-vhost", sharedDir, _sharedVirtualHost);
            RabbitMqUrl = sharedRabbitMq.TrimEnd('/') + "/" + _sharedVirtualHost;
            Redis = await ConnectionMultiplexer.ConnectAsync(RedisUrl + ",abortConnect=false,connectRetry=20");
            return;
        }
        var exports = InfraFixture.ParseExports(await InfraFixture.RunInfraScript(cluster ? "start-cluster" : "start", _dir));
        RedisUrl = exports["REDIS_URL"];
        RabbitMqUrl = exports["RABBITMQ_URL"];
        if (cluster)
        {
            Nodes = Enumerable.Range(1, 3).ToDictionary(n => n, n => exports[$"RABBITMQ_NODE_{n}"]);
            NodePorts = Enumerable.Range(1, 3).ToDictionary(n => n, n => int.Parse(exports[$"RABBITMQ_PORT_{n}"]));
        }
        Redis = await ConnectionMultiplexer.ConnectAsync(RedisUrl + ",abortConnect=false,connectRetry=20");
    }

    public Task StopRabbitAsync() => InfraFixture.RunInfraScript("stop-rabbit", OwnRabbitMqDir());
    public Task StartRabbitAsync() => InfraFixture.RunInfraScript("start-rabbit", OwnRabbitMqDir());

    private string OwnRabbitMqDir() => _sharedVirtualHost is null ? _dir
        : throw new InvalidOperationException("This DedicatedInfra uses the shared RabbitMQ (ownRabbitMq: false): it may not stop it.");
    public Task StopRedisAsync() => InfraFixture.RunInfraScript("stop-redis", _dir);
    public Task StartRedisAsync() => InfraFixture.RunInfraScript("start-redis", _dir);

    /// <summary>Cluster only: stops node <paramref name="node"/> (1-3) as <c>rabbitmqctl stop</c> does.</summary>
    public Task StopNodeAsync(int node) => InfraFixture.RunInfraScript("stop-node", _dir, node.ToString());
    public Task StartNodeAsync(int node) => InfraFixture.RunInfraScript("start-node", _dir, node.ToString());

    /// <summary>An isolated virtual host, as a RABBITMQ_URL (all nodes in a cluster).</summary>
    public async Task<string> CreateVirtualHostAsync(string name)
    {
        if (_sharedVirtualHost is not null) throw new InvalidOperationException("With ownRabbitMq: false, RabbitMqUrl is already a virtual host of its own.");
        await InfraFixture.RunInfraScript("add-vhost", _dir, name);
        return RabbitMqUrl.TrimEnd('/') + "/" + name;
    }

    /// <summary><c>rabbitmqctl -q ARGS</c> against a running node; its output.</summary>
    public Task<string> RabbitMqCtlAsync(params string[] args) => InfraFixture.RunInfraScript(["rabbitmqctl", OwnRabbitMqDir(), .. args]);

    public async Task DisposeAsync()
    {
        if (Redis is not null) await Redis.DisposeAsync();
        await InfraFixture.RunInfraScript("stop", _dir);
        if (_sharedVirtualHost is not null && Environment.GetEnvironmentVariable("OPSBOT_INFRA_DIR") is { Length: > 0 } sharedDir)
            await InfraFixture.RunInfraScript("rabbitmqctl", sharedDir, "delete_vhost", _sharedVirtualHost);
    }
}
