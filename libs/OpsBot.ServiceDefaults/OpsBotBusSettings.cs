namespace OpsBot.ServiceDefaults;

/// <summary>The broker settings the bus was built with (<c>RABBITMQ_URL</c>, <c>RABBITMQ_QUORUM_QUEUES</c>), for a service's own topology work.</summary>
public sealed record OpsBotBusSettings(RabbitMqAddress Broker, bool QuorumQueues);
