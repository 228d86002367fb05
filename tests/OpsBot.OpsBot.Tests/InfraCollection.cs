using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;
