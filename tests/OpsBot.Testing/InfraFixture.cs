using System.Diagnostics;
using StackExchange.Redis;
using Xunit;

namespace OpsBot.Testing;

/// <summary>
/// Real Redis and RabbitMQ for the tests. Uses the servers that scripts/test.sh started (REDIS_URL,
/// RABBITMQ_URL, OPSBOT_INFRA_DIR); without them it starts its own through scripts/infra.sh and stops
/// them afterwards. Never skips: a missing server is an error.
/// </summary>
public sealed class InfraFixture : IAsyncLifetime
{
    public const string Collection = "real Redis and RabbitMQ";
    /// <summary>
    /// A second lane on the same servers: its classes run beside those of <see cref="Collection"/> (two at a time on two
    /// cores, each test in its own virtual host and key prefix). For classes that mostly wait (a paced fake Slack, a
    /// server of their own starting); tests that stop a shared server or load every core stay in <see cref="Collection"/>.
    /// </summary>
    public const string SecondLane = "real Redis and RabbitMQ, second lane";

    // Servers this process started (no OPSBOT_INFRA_DIR): one pair for every fixture of the process (both lanes), stopped
    // when the last fixture is disposed.
    private static readonly SemaphoreSlim OwnedGate = new(1, 1);
    private static Dictionary<string, string>? _owned;
    private static int _ownedUsers;
    private bool _usesOwned;

    public string RedisUrl { get; private set; } = "";
    public string RabbitMqUrl { get; private set; } = "";
    public string InfraDir { get; private set; } = "";
    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dir = Environment.GetEnvironmentVariable("OPSBOT_INFRA_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            await OwnedGate.WaitAsync();
            try
            {
                _owned ??= ParseExports(await Script("start"));
                _ownedUsers++;
                _usesOwned = true;
            }
            finally
            {
                OwnedGate.Release();
            }
            dir = _owned["OPSBOT_INFRA_DIR"];
            RedisUrl = _owned["REDIS_URL"];
            RabbitMqUrl = _owned["RABBITMQ_URL"];
        }
        else
        {
            RedisUrl = Environment.GetEnvironmentVariable("REDIS_URL") ?? throw new InvalidOperationException("REDIS_URL not set");
            RabbitMqUrl = Environment.GetEnvironmentVariable("RABBITMQ_URL") ?? throw new InvalidOperationException("RABBITMQ_URL not set");
        }
        InfraDir = dir;
        Redis = await ConnectionMultiplexer.ConnectAsync(RedisUrl + ",abortConnect=false");
    }

    private const int VirtualHostBatch = 16;
    private static readonly SemaphoreSlim PoolGate = new(1, 1);
    private static readonly Queue<string> Pool = new();
    private static readonly string PoolRun = Guid.NewGuid().ToString("N")[..8];
    private static int _pooled;

    /// <summary>
    /// An isolated RabbitMQ virtual host for one test (never handed out twice), as a RABBITMQ_URL. Taken from a pool made
    /// <see cref="VirtualHostBatch"/> at a time with one <c>rabbitmqctl import_definitions</c> (<c>infra.sh add-vhosts</c>):
    /// each rabbitmqctl call boots an Erlang VM (about 1.5 s on two cores), which one host at a time cost the suite minutes.
    /// Hosts are named <c>t{run}-{n}</c>.
    /// </summary>
    public async Task<string> CreateVirtualHostAsync()
    {
        string name;
        await PoolGate.WaitAsync();
        try
        {
            if (Pool.Count == 0)
            {
                var batch = Enumerable.Range(0, VirtualHostBatch).Select(_ => $"t{PoolRun}-{Interlocked.Increment(ref _pooled)}").ToArray();
                await Script(["add-vhosts", InfraDir, .. batch]);
                foreach (var host in batch) Pool.Enqueue(host);
            }
            name = Pool.Dequeue();
        }
        finally
        {
            PoolGate.Release();
        }
        return RabbitMqUrl.TrimEnd('/') + "/" + name;
    }

    public Task<string> Script(params string[] args) => RunInfraScript(args);

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        if (!_usesOwned) return;
        await OwnedGate.WaitAsync();
        try
        {
            if (--_ownedUsers > 0) return;
            await Script("stop", InfraDir);
            _owned = null;
            await PoolGate.WaitAsync();
            Pool.Clear(); // the hosts were on the stopped server
            PoolGate.Release();
        }
        finally
        {
            OwnedGate.Release();
        }
    }

    /// <summary>Runs <c>scripts/infra.sh</c> with these arguments; a failure throws with its stderr.</summary>
    public static async Task<string> RunInfraScript(params string[] args)
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "infra.sh"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/infra.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    /// <summary>The <c>export NAME=value</c> lines <c>scripts/infra.sh start</c> prints, as a dictionary.</summary>
    public static Dictionary<string, string> ParseExports(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);
}
