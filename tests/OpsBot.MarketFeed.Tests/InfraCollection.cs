using OpsBot.Testing;

namespace OpsBot.MarketFeed.Tests;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;
