using System.Net;
using Microsoft.Extensions.Logging.Testing;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Infrastructure;

/// <summary>
/// The notifier in this process, wired exactly as its Program.cs wires it (service defaults, AddNotifier,
/// AddOpsBotBus with its consumers), on the real broker and Redis the settings name, with its logs captured.
/// </summary>
public sealed class NotifierHost : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly WebApplication _app;

    private NotifierHost(WebApplication app, FakeLogCollector logs, int port)
    {
        _app = app;
        Logs = logs;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
    }

    public FakeLogCollector Logs { get; }
    public Uri BaseUrl { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<NotifierHost> StartAsync(IReadOnlyDictionary<string, string> settings, bool waitReady = true)
    {
        var port = ServiceProcess.FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        var config = settings.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        config[SettingNames.HealthPort] = port.ToString();
        builder.Configuration.AddInMemoryCollection(config);
        builder.AddServiceDefaults("notifier");
        var logs = new FakeLogCollector();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new FakeLoggerProvider(logs));
        var options = builder.AddNotifier();
        builder.AddOpsBotBus(bus => bus.AddNotifierConsumers(options));
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        var host = new NotifierHost(app, logs, port);
        if (waitReady) await host.WaitReadyAsync(TimeSpan.FromSeconds(30));
        return host;
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri(BaseUrl, "readyz"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"notifier not ready within {timeout.TotalSeconds:F0} s:\n{Logs.All()}");
    }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(BaseUrl, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
