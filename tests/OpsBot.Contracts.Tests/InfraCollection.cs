using OpsBot.Testing;

namespace OpsBot.Contracts.Tests;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;
