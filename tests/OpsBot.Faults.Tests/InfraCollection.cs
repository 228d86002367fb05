using OpsBot.Testing;

namespace OpsBot.Faults.Tests.Infrastructure;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;
