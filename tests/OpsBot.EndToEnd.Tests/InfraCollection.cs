using OpsBot.Testing;

namespace OpsBot.Tests.Infrastructure;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;
