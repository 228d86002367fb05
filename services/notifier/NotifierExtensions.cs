using MassTransit;
using OpsBot.Contracts;
using OpsBot.Notifier.Consumers;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Routing;
using OpsBot.Notifier.Silences;
using OpsBot.Notifier.Slack;
using OpsBot.Notifier.Teams;
using OpsBot.ServiceDefaults;
using StackExchange.Redis;
using OpsBot.Slack;

namespace OpsBot.Notifier;

public static class NotifierExtensions
{
    /// <summary>The notifier's parts: settings, Redis (dedup, silences), the stages, and one pipeline per configured channel.</summary>
    public static NotifierOptions AddNotifier(this WebApplicationBuilder builder)
    {
        var options = NotifierOptions.From(new Settings(builder.Configuration));
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton<NotifierMetrics>();
        // Redis is not required for readiness: dedup falls back in-process and reports "degraded" instead.
        services.AddOpsBotRedis(options.RedisUrl, requiredForReadiness: false);
        services.AddSingleton(sp => new LocalDedupCache(options.LocalDedupCapacity, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DedupStage>();
        services.AddSingleton<SilenceStore>();
        services.AddSingleton<MuteStage>();
        services.AddSingleton<InhibitionStage>();
        services.AddSingleton<DeliveryRecorder>();
        services.AddSingleton(options.Incidents);
        services.AddSingleton<IncidentStore>();
        services.AddSingleton<IncidentLifecycle>();
        services.AddHostedService<IncidentReminders>();
        services.AddHealthChecks().AddCheck<DedupHealthCheck>("dedup", tags: [ServiceDefaultsExtensions.ReadyTag]);
        services.AddHostedService<NotifierStartup>();

        if (options.Slack is { } slack)
        {
            services.AddSingleton(slack);
            services.AddSingleton<SlackAlertFormatter>();
            services.AddHttpClient(nameof(SlackWebApi), http =>
            {
                http.BaseAddress = SlackWebApi.ApiBase(slack.ApiUrl);
                http.Timeout = options.Delivery.HttpTimeout;
            }).AddTypedClient((http, sp) => new SlackWebApi(http, new SlackTokens(slack.BotToken), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<SlackSender>();
            services.AddSingleton<ISlackChat, SlackChat>();
            services.AddSingleton<SlackIncidentFormatter>();
            services.AddSingleton<IIncidentMessages, SlackIncidentMessages>();
            AddChannel(services, DeliveryChannel.Slack, SlackAlertConsumer.Queue, options, slack.Channel, (sp, destination) => destination == slack.Channel
                ? sp.GetRequiredService<SlackSender>()
                : new SlackSender(sp.GetRequiredService<SlackWebApi>(), sp.GetRequiredService<SlackAlertFormatter>(), slack, destination));
        }
        if (options.Teams is { } teams)
        {
            services.AddSingleton(teams);
            services.AddSingleton(new TeamsCardFormatter(teams.Format));
            services.AddHttpClient<TeamsWebhookClient>(http => http.Timeout = options.Delivery.HttpTimeout);
            services.AddSingleton<TeamsSender>();
            services.AddSingleton<IIncidentMessages, TeamsIncidentMessages>();
            AddChannel(services, DeliveryChannel.Teams, TeamsAlertConsumer.Queue, options, "teams", (sp, _) => sp.GetRequiredService<TeamsSender>());
        }
        return options;
    }

    /// <summary>One consumer per configured channel, each on its own queue, so one channel's outage never delays another; the silences and acknowledgements; the resolutions.</summary>
    public static IBusRegistrationConfigurator AddNotifierConsumers(this IBusRegistrationConfigurator bus, NotifierOptions options)
    {
        if (options.Slack is not null) bus.AddConsumer<SlackAlertConsumer, SlackAlertConsumerDefinition>();
        if (options.Teams is not null) bus.AddConsumer<TeamsAlertConsumer, TeamsAlertConsumerDefinition>();
        bus.AddConsumer<SilenceConsumer, SilenceConsumerDefinition>();
        bus.AddConsumer<ResolutionConsumer, ResolutionConsumerDefinition>();
        return bus;
    }

    /// <summary>
    /// One integration: its dispatchers (one per destination, made on first use: Slack paces per channel) and its pipeline.
    /// <paramref name="senderFor"/> gives the sender of a destination (a Slack channel id; Teams has one).
    /// </summary>
    private static void AddChannel(IServiceCollection services, DeliveryChannel channel, string queue, NotifierOptions options, string defaultDestination,
        Func<IServiceProvider, string, IAlertSender> senderFor)
    {
        services.AddKeyedSingleton(channel, (sp, _) =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger($"OpsBot.Notifier.{channel}");
            var metrics = sp.GetRequiredService<NotifierMetrics>();
            var time = sp.GetRequiredService<TimeProvider>();
            var redis = sp.GetRequiredService<IConnectionMultiplexer>();
            return new ChannelDispatchers(channel, defaultDestination, destination =>
            {
                var sender = senderFor(sp, destination);
                var pace = new SharedChannelPace(redis, SharedChannelPace.KeyOf(options.KeyPrefix, channel, sender.Destination), ChannelDispatcher.IntervalOf(sender),
                    2 * options.Delivery.HttpTimeout, metrics, logger);
                return new ChannelDispatcher(sender, options.Delivery, time, metrics, logger, pace);
            });
        });
        services.AddKeyedSingleton(channel, (sp, _) => new AlertPipeline(
            channel,
            queue,
            options,
            sp.GetRequiredService<MuteStage>(),
            sp.GetRequiredService<InhibitionStage>(),
            sp.GetRequiredService<DedupStage>(),
            sp.GetRequiredKeyedService<ChannelDispatchers>(channel),
            sp.GetRequiredService<IncidentLifecycle>(),
            sp.GetRequiredService<DeliveryRecorder>(),
            sp.GetRequiredService<ILogger<AlertPipeline>>()));
    }
}

/// <summary>Builds the pipelines (and connects Redis) at start rather than on the first alert, and says what is configured.</summary>
internal sealed class NotifierStartup(IServiceProvider services, NotifierOptions options, ILogger<NotifierStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var channels = new List<string>();
        if (options.Slack is { } slack)
        {
            services.GetRequiredKeyedService<AlertPipeline>(DeliveryChannel.Slack);
            channels.Add($"slack → {slack.Channel} ({slack.MessagesPerSecond} msg/s)");
        }
        if (options.Teams is { } teams)
        {
            services.GetRequiredKeyedService<AlertPipeline>(DeliveryChannel.Teams);
            channels.Add($"teams → webhook (secret) as {teams.Format} ({teams.MessagesPerSecond} msg/s)");
        }
        var dedup = services.GetRequiredService<DedupStage>();
        var incidents = options.Incidents;
        logger.LogInformation("Incidents: reminders every {Reminder} s from {MinSeverity}, escalation after {Escalate} s (0: off){Oncall}; acknowledgements by {AckUsers}",
            incidents.ReminderInterval.TotalSeconds, incidents.ReminderMinSeverity, incidents.EscalateAfter.TotalSeconds,
            incidents.OncallUsergroup is null ? "" : $" to user group {incidents.OncallUsergroup}", incidents.AckUsers.Count == 0 ? "anyone" : string.Join(",", incidents.AckUsers));
        if (services.GetRequiredService<IConfiguration>()[NotifierSettingNames.RemovedAckTtl] is { Length: > 0 })
            logger.LogWarning("NOTIFIER_ACK_TTL is set but no longer used: an acknowledgement takes ownership of the incident instead of muting its key; use a silence to mute");
        logger.LogInformation("Notifier {State}: {Channels}; dedup TTL {Ttl} s on {Backend}, key prefix {Prefix}",
            options.Enabled ? "delivering" : "not delivering (ALERT_ENABLE=false)", string.Join("; ", channels), options.DedupTtl.TotalSeconds,
            dedup.Degraded ? "the in-process cache (Redis unreachable)" : "Redis", options.KeyPrefix);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
