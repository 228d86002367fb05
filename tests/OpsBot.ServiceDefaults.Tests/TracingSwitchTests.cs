using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using OpsBot.ServiceDefaults;

namespace OpsBot.ServiceDefaults.Tests;

/// <summary>Tracing is off unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: no tracer provider, no exporter, no cost.</summary>
public sealed class TracingSwitchTests
{
    private static WebApplication Build(string? endpoint)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [SettingNames.OtelExporterOtlpEndpoint] = endpoint ?? "" });
        builder.AddServiceDefaults("tracing-switch-test");
        builder.Services.AddOpsBotRedis("127.0.0.1:1"); // the Redis instrumentation registers itself with the connection
        return builder.Build();
    }

    [Fact]
    public async Task Without_OTEL_EXPORTER_OTLP_ENDPOINT_no_tracer_provider_is_registered()
    {
        await using var app = Build(endpoint: null);
        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task With_OTEL_EXPORTER_OTLP_ENDPOINT_a_tracer_provider_is_registered()
    {
        // The positive counterpart: the same host with the setting gets one (so the test above proves the switch).
        await using var app = Build(endpoint: "http://127.0.0.1:4318");
        Assert.NotNull(app.Services.GetService<TracerProvider>());
    }

    [Fact]
    public void A_malformed_OTEL_EXPORTER_OTLP_ENDPOINT_stops_the_service_with_a_clear_message()
    {
        var e = Assert.Throws<SettingsException>(() => Build(endpoint: "jaeger:4318"));
        Assert.Contains(SettingNames.OtelExporterOtlpEndpoint, e.Message);
    }
}
