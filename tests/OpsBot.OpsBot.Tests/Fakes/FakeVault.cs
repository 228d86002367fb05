using System.Net;
using System.Text.Json.Nodes;

namespace OpsBot.OpsBot.Tests.Fakes;

/// <summary>HashiCorp Vault's KV v2 read API: <c>GET /v1/{mount}/data/{path}</c> with <c>X-Vault-Token</c>.</summary>
public sealed class FakeVault : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeVault(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }
    public int Reads;

    public static async Task<FakeVault> StartAsync(string token, string mount, string path, IReadOnlyDictionary<string, string> data)
    {
        var port = global::OpsBot.Testing.ServiceProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var vault = new FakeVault(app, new Uri($"http://127.0.0.1:{port}"));
        app.MapGet("/v1/{**rest}", (HttpContext http, string rest) =>
        {
            Interlocked.Increment(ref vault.Reads);
            if (http.Request.Headers["X-Vault-Token"] != token) return Results.Json(new { errors = new[] { "permission denied" } }, statusCode: 403);
            if (rest != $"{mount}/data/{path}") return Results.Json(new { errors = Array.Empty<string>() }, statusCode: 404);
            var inner = new JsonObject();
            foreach (var (k, v) in data) inner[k] = v;
            var body = new JsonObject
            {
                ["request_id"] = Guid.NewGuid().ToString(),
                ["lease_duration"] = 0,
                ["data"] = new JsonObject { ["data"] = inner, ["metadata"] = new JsonObject { ["version"] = 3 } },
            };
            return Results.Text(body.ToJsonString(), "application/json");
        });
        await app.StartAsync();
        return vault;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
