using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;

namespace OpsBot.ServiceDefaults;

/// <summary>Name of the running service, used as the alert source and in logs.</summary>
public sealed record ServiceIdentity(string Name);

public static class ServiceDefaultsExtensions
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// Settings, JSON logs with scopes (correlation id; trace and span id while a span is current), Kestrel on
    /// HEALTH_PORT, health checks, metrics, and tracing when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (<see cref="OpsBotTracing"/>).
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        var settings = new Settings(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(new ServiceIdentity(serviceName));
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Logging.ClearProviders();
        var text = settings.String(SettingNames.LogFormat, "json").Equals("text", StringComparison.OrdinalIgnoreCase);
        // While a span is current (tracing on), each line's scopes carry its trace id (and, in JSON, its span id):
        // from a log line to its trace. Text lines get the trace id alone, to stay short.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = text
            ? ActivityTrackingOptions.TraceId
            : ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (text)
        {
            builder.Logging.AddSimpleConsole(o => { o.IncludeScopes = true; o.SingleLine = true; o.UseUtcTimestamp = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
        }
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        // HttpClientFactory logs request URLs; a Teams webhook URL is a secret.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);

        var port = settings.Int(SettingNames.HealthPort, 8080, 0, 65535);
        builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(port));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));

        builder.Services.AddHealthChecks();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(OpsBotMetrics.MeterPrefix + "*")
            .AddMeter("MassTransit")
            // The runtime's own meter: GC, thread pool, JIT and lock contention (dotnet_* on /metrics), what an
            // operator looks at first when a service is slow; the load harness waits on its JIT counter to settle.
            .AddMeter("System.Runtime")
            // Every scrape reads the counters as they are now. The exporter's default keeps a page for 300 ms, so a
            // reader that polls /metrics to see a counter move (the load harness, the tests) waited 300 ms a look;
            // a Prometheus that scrapes every 15 s never notices the difference.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.AddOpsBotTracing(settings, serviceName);
        return builder;
    }

    /// <summary><c>/healthz</c> (alive: the process answers), <c>/readyz</c> (every check tagged ready), <c>/metrics</c>.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        if (!app.Services.GetServices<HealthzOverride>().Any())
            app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = WriteHealthJson,
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>
    /// Not ready (503) when a check is unhealthy — among them <c>rabbitmq</c> (<see cref="BusReadinessCheck"/>)
    /// while the broker is lost. A degraded check (e.g. the notifier's dedup running in-process while Redis
    /// is down) keeps the service ready: it still does its job.
    /// </summary>
    public static bool IsReady(HealthReport report) => report.Entries.Values.All(e => e.Status != HealthStatus.Unhealthy);

    private static Task WriteHealthJson(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var ready = IsReady(report);
        http.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        var body = new
        {
            status = ready ? "ready" : "not-ready",
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}

/// <summary>Registered by a service (the ops-bot) that answers <c>/healthz</c> itself.</summary>
public sealed class HealthzOverride;
