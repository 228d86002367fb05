using MassTransit;
using OpsBot.Bot.Commands;
using OpsBot.Bot.Guards;
using OpsBot.Bot.Health;
using OpsBot.Bot.Interactions;
using OpsBot.Bot.Secrets;
using OpsBot.Bot.Slack;
using OpsBot.Slack;
using OpsBot.Bot.SocketMode;
using OpsBot.Bot.State;
using OpsBot.PlatformMetrics;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot;

public static class OpsBotExtensions
{
    /// <summary>
    /// Reads the settings and the Slack secrets (exits with code 2 and one line when tokens are missing) and
    /// registers the bot: Slack client, Socket Mode (with SLACK_APP_TOKEN), command pipeline, buttons, the
    /// event cache, the platform-metrics scrape for /healthz, Redis for readiness (ALERT_ENABLE=true).
    /// </summary>
    public static WebApplicationBuilder AddOpsBot(this WebApplicationBuilder builder)
    {
        var settings = new Settings(builder.Configuration);
        var options = BotOptions.From(settings);
        var secrets = LoadSecrets(settings, builder.Configuration);
        var services = builder.Services;

        services.AddSingleton(options);
        services.AddSingleton(secrets);
        services.AddSingleton<HealthzOverride>();
        services.AddPlatformMetricsScrape(PlatformMetricsOptions.From(settings));
        // Redis: replay and duplicate checks and spent kill-switch confirmations, shared by every replica;
        // part of /readyz only with ALERT_ENABLE=true (the original rule).
        services.AddOpsBotRedis(options.RedisUrl, requiredForReadiness: options.AlertEnable);
        services.AddSingleton<DuplicateGuard>();

        services.AddHttpClient(nameof(SlackWebApi), http =>
        {
            http.BaseAddress = SlackWebApi.ApiBase(options.SlackApiUrl);
            http.Timeout = TimeSpan.FromSeconds(10);
        }).AddTypedClient((http, sp) => new SlackWebApi(http, new SlackTokens(secrets.BotToken.Reveal(), secrets.AppToken?.Reveal()), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SlackResponder>();
        services.AddSingleton<BackgroundWork>();
        services.AddSingleton<OpsStateCache>();
        services.AddSingleton(sp => new ParkedAlerts(BrokerQueues.Address(settings), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ParkedAlerts>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ParkedAlerts>());
        services.AddSingleton<OpsCommandParser>();
        services.AddSingleton<OpsAuthorizer>();
        services.AddSingleton<CommandAuditor>();
        services.AddSingleton<ConfirmationTokens>();
        services.AddSingleton<KillSwitchPublisher>();
        services.AddSingleton<KillSwitchConfirmations>();
        services.AddSingleton<SlashCommandProcessor>();
        services.AddSingleton<InteractionProcessor>();
        services.AddSingleton<ICommandHandler<HelpCommand>, HelpHandler>();
        services.AddSingleton<ICommandHandler<StatusCommand>, StatusHandler>();
        services.AddSingleton<ICommandHandler<PnlCommand>, PnlHandler>();
        services.AddSingleton<ICommandHandler<RiskCommand>, RiskHandler>();
        services.AddSingleton<ICommandHandler<AlertsCommand>, AlertsHandler>();
        services.AddSingleton<ICommandHandler<ParityCommand>, ParityHandler>();
        services.AddSingleton<ICommandHandler<SilenceCommand>, SilenceHandler>();
        services.AddSingleton<ICommandHandler<UnsilenceCommand>, UnsilenceHandler>();
        services.AddSingleton<ICommandHandler<KillSwitchCommand>, KillSwitchHandler>();

        services.AddSingleton<SocketModeState>();
        services.AddSingleton(SocketModeOptions.Default);
        services.AddSingleton<SlackWebSocketFactory>();
        if (secrets.SocketMode) services.AddHostedService<SocketModeClient>();
        services.AddSingleton<RefusedRequests>();
        if (secrets.SigningSecret is { } signing)
        {
            services.AddSingleton(sp => new SlackSignatureVerifier(signing, sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<SlackRequestGate>();
        }
        return builder;
    }

    /// <summary>The bus consumers: one per-replica queue feeding the event cache.</summary>
    public static IBusRegistrationConfigurator AddOpsBotConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<OpsStateConsumer, OpsStateConsumerDefinition>()
            .Endpoint(e =>
            {
                e.Name = OpsStateConsumerDefinition.QueueName;
                e.InstanceId = "-" + Guid.NewGuid().ToString("N")[..12];
                e.Temporary = true;
            });
        return bus;
    }

    /// <summary><c>/healthz</c> from the platform metrics, and the Slack request URLs when SLACK_SIGNING_SECRET is set.</summary>
    public static WebApplication MapOpsBot(this WebApplication app)
    {
        HealthzEndpoint.Map(app);
        if (app.Services.GetRequiredService<SlackSecrets>().HttpEndpoints) SlackHttpEndpoints.Map(app);
        var secrets = app.Services.GetRequiredService<SlackSecrets>();
        var metrics = app.Services.GetRequiredService<PlatformMetricsOptions>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpsBot.Bot");
        log.LogInformation("ops-bot starting: Socket Mode {SocketMode}, HTTP request URLs {Http}, metrics {MetricsUrl} every {Interval} s",
            secrets.SocketMode ? "on" : "off", secrets.HttpEndpoints ? "on" : "off", (metrics.MetricsUrl is { } url ? UrlRedaction.Redact(url) : null) ?? "(METRICS_URL not set: /healthz stays no-data)", metrics.Interval.TotalSeconds);
        return app;
    }

    private static SlackSecrets LoadSecrets(Settings settings, IConfiguration configuration)
    {
        using var vaultHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var store = SecretStoreFactory.Create(settings, configuration, vaultHttp);
        return SlackSecrets.LoadAsync(store, CancellationToken.None).GetAwaiter().GetResult();
    }
}
