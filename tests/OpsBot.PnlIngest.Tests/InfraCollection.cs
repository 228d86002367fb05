using OpsBot.Testing;

namespace OpsBot.PnlIngest.Tests;

[CollectionDefinition(InfraFixture.Collection)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>;
