using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpsBot.ServiceDefaults;

public static class BusExtensions
{
    /// <summary>
    /// MassTransit on RabbitMQ (<c>RABBITMQ_URL</c>): durable queues (quorum queues with
    /// <c>RABBITMQ_QUORUM_QUEUES=true</c>), publisher confirms, in-process retry, the in-memory outbox,
    /// and the correlation id in every consumer's log scope. The service registers its consumers in
    /// <paramref name="configure"/>; endpoints are configured from their definitions.
    /// </summary>
    public static WebApplicationBuilder AddOpsBotBus(this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var settings = new Settings(builder.Configuration);
        var broker = BrokerQueues.Address(settings);
        var quorum = settings.Bool(SettingNames.RabbitMqQuorumQueues, false);

        // Inert until an endpoint calls UseBrokerDelayedRedelivery (BrokerDelayedRedelivery.cs).
        builder.Services.AddSingleton(sp => new BrokerDelayedRedelivery(broker, quorum, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddMassTransit(x =>
        {
            configure?.Invoke(x);
            if (quorum)
            {
                x.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
                });
            }
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(broker.Host, broker.Port, broker.VirtualHost, h =>
                {
                    h.Username(broker.Username);
                    h.Password(broker.Password);
                    h.PublisherConfirmation = true;
                    h.Heartbeat(TimeSpan.FromSeconds(10));
                    h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
                    if (broker.UseTls) h.UseSsl(s => s.Protocol = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
                });
                cfg.UseConsumeFilter(typeof(CorrelationLogScopeFilter<>), context);
                cfg.UseBrokerDelayedRedelivery(context); // before the retry and the outbox: it wraps them
                cfg.UseMessageRetry(r => r.Exponential(3, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(300)).Ignore<NonRetryableException>());
                cfg.UseInMemoryOutbox(context);
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.AddHealthChecks().AddCheck<BusReadinessCheck>("rabbitmq", tags: [ServiceDefaultsExtensions.ReadyTag]);
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            // Keep serving /healthz while the broker is down; MassTransit reconnects by itself.
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(15);
        });
        return builder;
    }
}
