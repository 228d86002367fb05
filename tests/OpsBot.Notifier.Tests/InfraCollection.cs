using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Infrastructure;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;
