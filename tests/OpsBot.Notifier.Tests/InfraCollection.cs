using OpsBot.Testing;

namespace OpsBot.Notifier.Tests;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;
