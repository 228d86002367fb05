using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace OpsBot.ServiceDefaults;

public static class RedisConnection
{
    /// <summary>
    /// <c>REDIS_URL</c> as a StackExchange.Redis configuration string (<c>host:port,password=...</c>;
    /// Sentinel and Cluster forms included) or as <c>redis://[:password@]host:port[/db]</c>.
    /// </summary>
    public static ConfigurationOptions ParseUrl(string url)
    {
        string config = url;
        if (url.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
                throw new SettingsException($"{SettingNames.RedisUrl} is not a valid redis:// URL.");
            config = $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 6379)}";
            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                var parts = uri.UserInfo.Split(':', 2);
                if (parts.Length == 2 && parts[0].Length > 0) config += $",user={Uri.UnescapeDataString(parts[0])}";
                config += $",password={Uri.UnescapeDataString(parts[^1])}";
            }
            var db = uri.AbsolutePath.Trim('/');
            if (db.Length > 0) config += $",defaultDatabase={db}";
            if (uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase)) config += ",ssl=true";
        }
        ConfigurationOptions options;
        try { options = ConfigurationOptions.Parse(config); }
        catch (ArgumentException) { throw new SettingsException($"{SettingNames.RedisUrl} is not a valid Redis configuration."); }
        options.AbortOnConnectFail = false; // keep running while Redis is down; reconnect and resubscribe by itself
        options.ConnectTimeout = 3000;
        options.SyncTimeout = 3000;
        options.AsyncTimeout = 3000;
        options.ConnectRetry = 1;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        options.ClientName ??= "opsbot";
        return options;
    }

    /// <summary>One shared multiplexer for the service, and a readiness check on it (<c>REDIS_URL</c> as held by an options record).</summary>
    public static IServiceCollection AddOpsBotRedis(this IServiceCollection services, SensitiveUrl redisUrl, bool requiredForReadiness = true) =>
        services.AddOpsBotRedis(redisUrl.Reveal(), requiredForReadiness);

    /// <summary>One shared multiplexer for the service, and a readiness check on it.</summary>
    public static IServiceCollection AddOpsBotRedis(this IServiceCollection services, string redisUrl, bool requiredForReadiness = true)
    {
        var options = ParseUrl(redisUrl);
        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("OpsBot.Redis");
            var mux = ConnectionMultiplexer.Connect(options);
            if (!mux.IsConnected) logger.LogWarning("Redis at {Endpoints} is not reachable yet; retrying in the background", string.Join(",", options.EndPoints));
            mux.ConnectionFailed += (_, e) => logger.LogWarning("Redis connection lost ({FailureType}); reconnecting", e.FailureType);
            mux.ConnectionRestored += (_, e) => logger.LogInformation("Redis connection restored ({ConnectionType})", e.ConnectionType);
            return mux;
        });
        // Redis commands become spans of the current trace (e.g. the notifier's dedup SET) when tracing is on; inert otherwise.
        services.ConfigureOpenTelemetryTracerProvider(t => t.AddRedisInstrumentation());
        if (requiredForReadiness)
            services.AddHealthChecks().Add(new HealthCheckRegistration("redis", sp => new RedisHealthCheck(sp.GetRequiredService<IConnectionMultiplexer>()), HealthStatus.Unhealthy, [ServiceDefaultsExtensions.ReadyTag], TimeSpan.FromSeconds(3)));
        return services;
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer mux) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!mux.IsConnected) return HealthCheckResult.Unhealthy("not connected");
            try
            {
                var latency = await mux.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:F1} ms");
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy(e.GetType().Name);
            }
        }
    }
}
