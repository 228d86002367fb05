using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Testing;
using OpsBot.Bot;
using OpsBot.Bot.SocketMode;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Fakes;

/// <summary>
/// The ops-bot, built exactly as Program.cs builds it (AddServiceDefaults, AddOpsBot, AddOpsBotBus,
/// MapDefaultEndpoints, MapOpsBot) but in this process, with the settings a test gives. The bus is always
/// MassTransit on RabbitMQ: a test that talks to the bus gives it a virtual host of the real broker
/// (<see cref="OnInfra"/>; what the bot publishes is read by a <see cref="BrokerListener"/>); the health
/// tests give none (<see cref="NoBroker"/>). Logs are captured for assertions (a <see cref="FakeLogCollector"/>; as text with
/// structured values and exceptions: <see cref="FakeLogText"/>, for "no secret is ever logged" checks).
/// </summary>
public sealed class BotHost : IAsyncDisposable
{
    public const string BotToken = "xoxb-test-bot-token-0000";
    public const string AppToken = "xapp-test-app-token-0000";
    public const string SigningSecret = "test-signing-secret-0000";

    /// <summary>A RABBITMQ_URL / REDIS_URL where nothing listens, for tests that use neither.</summary>
    public const string NoBroker = "amqp://guest:guest@127.0.0.1:1/";
    public const string NoRedis = "127.0.0.1:1";

    private readonly WebApplication _app;

    private BotHost(WebApplication app, int port, FakeLogCollector logs)
    {
        _app = app;
        Port = port;
        Logs = logs;
    }

    public int Port { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");
    public IServiceProvider Services => _app.Services;
    public FakeLogCollector Logs { get; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Settings for a bot on the fake Slack with both modes on, no broker and no Redis (see <see cref="OnInfra"/>).</summary>
    public static Dictionary<string, string?> Settings(FakeSlackPlatform? slack, params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SLACK_BOT_TOKEN"] = BotToken,
            ["SLACK_SIGNING_SECRET"] = SigningSecret,
            ["SLACK_API_URL"] = slack?.ApiUrl.ToString() ?? "http://127.0.0.1:9/api/",
            ["ALERT_ENABLE"] = "false",
            ["OPS_ADMINS"] = "UADMIN1,SADMINS",
            ["RABBITMQ_URL"] = NoBroker,
            ["REDIS_URL"] = NoRedis,
        };
        if (slack is not null) settings["SLACK_APP_TOKEN"] = slack.AppToken;
        foreach (var (k, v) in extra) settings[k] = v;
        return settings;
    }

    /// <summary>
    /// Points <paramref name="settings"/> at the real servers: the broker's virtual host <paramref name="rabbitMqUrl"/>
    /// and the fixture's Redis under <paramref name="redisPrefix"/> (replicas of one test share one; default: a fresh one).
    /// </summary>
    public static Dictionary<string, string?> OnInfra(Dictionary<string, string?> settings, InfraFixture infra, string rabbitMqUrl, string? redisPrefix = null)
    {
        settings["RABBITMQ_URL"] = rabbitMqUrl;
        settings["REDIS_URL"] = infra.RedisUrl;
        settings["OPS_REDIS_PREFIX"] = redisPrefix ?? $"test:{Guid.NewGuid():N}:";
        return settings;
    }

    /// <summary>Starts the bot; with a broker it returns once /readyz says the bus and its queue are up.</summary>
    public static async Task<BotHost> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? configure = null, FakeSlackPlatform? trust = null, bool waitReady = true)
    {
        var port = global::OpsBot.Testing.ServiceProcess.FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings) { ["HEALTH_PORT"] = port.ToString() });
        builder.AddServiceDefaults("ops-bot");
        var logs = new FakeLogCollector();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new FakeLoggerProvider(logs));
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.AddOpsBot();
        builder.AddOpsBotBus(bus => bus.AddOpsBotConsumers());
        builder.Services.AddSingleton(new SocketModeOptions(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)));
        if (trust is not null) builder.Services.AddSingleton<SlackWebSocketFactory>(new TrustingSocketFactory(trust.Certificate));
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapOpsBot();
        await app.StartAsync();
        var host = new BotHost(app, port, logs);
        if (waitReady && settings.TryGetValue("RABBITMQ_URL", out var broker) && broker != NoBroker) await host.WaitReadyAsync();
        return host;
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        (int Status, string Body) last = (0, "");
        while (DateTime.UtcNow < deadline)
        {
            try { last = await GetAsync("readyz"); }
            catch (HttpRequestException) { }
            if (last.Status == 200) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"the bot was not ready within 60 s: {last.Status} {last.Body}");
    }

    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(BaseUrl, path));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await _app.StopAsync(timeout.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }

    /// <summary>Trusts exactly the fake's self-signed certificate, nothing else.</summary>
    private sealed class TrustingSocketFactory(X509Certificate2 certificate) : SlackWebSocketFactory
    {
        public override ClientWebSocket Create()
        {
            var socket = base.Create();
            socket.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString();
            return socket;
        }
    }
}
