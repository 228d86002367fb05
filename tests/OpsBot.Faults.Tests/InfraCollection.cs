using OpsBot.Testing;

namespace OpsBot.Faults.Tests;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;

[CollectionDefinition(InfraFixture.SecondLane)]
public sealed class InfraSecondLane : ICollectionFixture<InfraFixture>;
