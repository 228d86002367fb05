using System.Net;

namespace OpsBot.OpsBot.Tests.Fakes;

/// <summary>The platform's <c>/metrics</c>, switchable between good text, garbage, HTTP 500 and no answer; starts and stops on a fixed port.</summary>
public sealed class FakeMetricsServer : IAsyncDisposable
{
    public const string GoodBody = """
        # HELP trading_kill_switch_engaged Whether trading is halted, per scope.
        # TYPE trading_kill_switch_engaged gauge
        trading_kill_switch_engaged{scope="global"} 0
        trading_kill_switch_engaged{scope="venue-a"} 1
        # TYPE platform_orders_total counter
        platform_orders_total 1027
        """;

    private WebApplication? _app;

    public FakeMetricsServer() => Port = global::OpsBot.Testing.ServiceProcess.FreePort();

    public int Port { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}/metrics");
    public MetricsMode Mode { get; set; } = MetricsMode.Ok;
    public string Body { get; set; } = GoodBody;
    public int Requests;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            Interlocked.Increment(ref Requests);
            switch (Mode)
            {
                case MetricsMode.Garbage:
                    await http.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>\n\u0001\u0002 not { metrics\n");
                    break;
                case MetricsMode.ServerError:
                    http.Response.StatusCode = 500;
                    await http.Response.WriteAsync("boom");
                    break;
                case MetricsMode.Hang:
                    try { await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted); } catch (OperationCanceledException) { }
                    break;
                default:
                    http.Response.ContentType = "text/plain; version=0.0.4";
                    await http.Response.WriteAsync(Body);
                    break;
            }
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
