using System.Diagnostics;
using MassTransit.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// Distributed tracing with OpenTelemetry, on only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: then every
/// service exports its spans over OTLP (the exporter reads the standard <c>OTEL_EXPORTER_OTLP_*</c> variables
/// itself, e.g. <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>). Unset, no tracer provider is registered and nothing
/// listens to any <see cref="ActivitySource"/>, so MassTransit and OpsBot create no spans at all.
/// Sources: MassTransit's own (publish, send, receive, consume; the context travels in the message's
/// <c>MT-Activity-Id</c> header), ASP.NET Core (server requests, without the probes and <c>/metrics</c>),
/// HttpClient (Slack, Teams, the metrics scrape, Vault), StackExchange.Redis commands, and
/// <see cref="Source"/> for what no library sees: a PnL message taken off Redis pub/sub and the notifier's
/// hand-off from a consumer to a channel's delivery loop.
/// </summary>
public static class OpsBotTracing
{
    public const string SourceName = "OpsBot";

    /// <summary>OpsBot's own spans (pnl-ingest's Redis receive and bus publish, the notifier's delivery).</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Span attribute holding the correlation id, to find a trace from an alert's correlation id.</summary>
    public const string CorrelationIdTag = "opsbot.correlation_id";

    private static readonly string[] UntracedPaths = ["/healthz", "/readyz", "/metrics"];

    /// <summary>
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> as an absolute http(s) URL, or null when tracing is off.
    /// A malformed value stops the service at start-up, like any bad setting.
    /// </summary>
    public static Uri? Endpoint(Settings settings)
    {
        var raw = settings.Optional(SettingNames.OtelExporterOtlpEndpoint);
        if (raw is null) return null;
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new SettingsException($"{SettingNames.OtelExporterOtlpEndpoint} must be an http:// or https:// URL (the OTLP collector), e.g. http://jaeger:4318.");
        return uri;
    }

    /// <summary>Registers the tracer provider and its OTLP exporter when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; otherwise nothing.</summary>
    public static IServiceCollection AddOpsBotTracing(this IServiceCollection services, Settings settings, string serviceName)
    {
        if (Endpoint(settings) is null) return services;
        var name = settings.String(SettingNames.OtelServiceName, serviceName);
        services.AddOpenTelemetry().WithTracing(t => t
            .ConfigureResource(r => r.AddService(name))
            .AddSource(SourceName)
            .AddSource(DiagnosticHeaders.DefaultListenerName) // "MassTransit"
            .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsUntraced(http.Request.Path))
            .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, request) =>
            {
                // A Teams webhook URL and a Slack response_url are credentials in their path: spans name the host only.
                if (request.RequestUri is { } uri) activity.SetTag("url.full", RedactedUrl(uri));
            })
            .AddOtlpExporter());
        return services;
    }

    /// <summary>The URL as outgoing HTTP spans show it: scheme, host and port, never the path or query.</summary>
    public static string RedactedUrl(Uri uri) => uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Authority) + "/" : "/";

    private static bool IsUntraced(PathString path) =>
        UntracedPaths.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Marks a span failed with a short reason (never a secret: a type name or a label).</summary>
    public static void Failed(this Activity? activity, string reason) => activity?.SetStatus(ActivityStatusCode.Error, reason);
}
