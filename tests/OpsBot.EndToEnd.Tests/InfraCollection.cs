using OpsBot.Testing;

namespace OpsBot.EndToEnd.Tests;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;
