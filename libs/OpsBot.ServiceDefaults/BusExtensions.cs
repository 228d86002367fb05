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
    /// <paramref name="configure"/>; endpoints are configured from their definitions. A service that needs receive
    /// endpoints no definition can describe (risk-evaluator's partition queues) adds them in
    /// <paramref name="configureRabbitMq"/>, which runs after the bus-wide filters and before the definitions' endpoints.
    /// <c>RABBITMQ_URL</c> may name several cluster nodes (<see cref="RabbitMqAddress"/>); the bus then connects to
    /// the first that answers and fails over to the others. Every published <c>PnlUpdated</c> and <c>TickerReceived</c>
    /// carries its partition key as routing key (<see cref="PartitionRoutingKeys"/>).
    /// </summary>
    public static WebApplicationBuilder AddOpsBotBus(this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureRabbitMq = null)
    {
        var settings = new Settings(builder.Configuration);
        var broker = BrokerQueues.Address(settings);
        var quorum = settings.Bool(SettingNames.RabbitMqQuorumQueues, false);

        builder.Services.AddSingleton(new OpsBotBusSettings(broker, quorum));
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
                    if (broker.IsCluster) h.UseCluster(c => { foreach (var node in broker.Nodes) c.Node(node.ToString()); });
                    if (broker.UseTls) h.UseSsl(s => s.Protocol = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
                });
                cfg.UseConsumeFilter(typeof(CorrelationLogScopeFilter<>), context);
                cfg.UseBrokerDelayedRedelivery(context); // before the retry and the outbox: it wraps them
                cfg.UseMessageRetry(r => r.Exponential(3, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(300)).Ignore<NonRetryableException>());
                cfg.UseInMemoryOutbox(context);
                cfg.UsePartitionRoutingKeys();
                configureRabbitMq?.Invoke(context, cfg);
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
