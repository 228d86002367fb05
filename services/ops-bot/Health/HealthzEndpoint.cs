using OpsBot.PlatformMetrics;

namespace OpsBot.Bot.Health;

/// <summary>
/// <c>/healthz</c>: <c>{"status":"ok"}</c> while the platform's metrics were scraped and parsed within
/// <c>METRICS_FRESHNESS</c>, <c>{"status":"no-data"}</c> otherwise — HTTP 200 both ways, so liveness never
/// restarts the bot for an upstream outage. Readiness (RabbitMQ, and Redis with ALERT_ENABLE=true) is <c>/readyz</c>.
/// </summary>
public static class HealthzEndpoint
{
    public static void Map(WebApplication app) =>
        app.MapGet("/healthz", (PlatformMetricsState state) => Results.Json(new { status = PlatformMetricsState.Label(state.Health()) }));
}
