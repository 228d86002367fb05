using Microsoft.Extensions.Configuration;
using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>The names and the setting of risk-evaluator's partitioned topology, and the partition key publishers set.</summary>
public sealed class RiskPartitionTopologyTests
{
    private static Settings With(string? partitions) =>
        new(new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>("RISK_PARTITIONS", partitions)]).Build());

    [Fact]
    public void Partitions_default_to_eight_and_a_bad_value_names_the_setting()
    {
        Assert.Equal(8, RiskPartitionOptions.From(With(null)).Partitions);
        Assert.Equal(3, RiskPartitionOptions.From(With("3")).Partitions);
        Assert.Equal("RISK_PARTITIONS must be between 1 and 256, got 0.", Assert.Throws<SettingsException>(() => RiskPartitionOptions.From(With("0"))).Message);
        Assert.Equal("RISK_PARTITIONS must be a whole number, got 'many'.", Assert.Throws<SettingsException>(() => RiskPartitionOptions.From(With("many"))).Message);
    }

    [Fact]
    public void Only_the_configured_partition_queues_are_partition_endpoints()
    {
        var topology = new RiskPartitionTopology(new RiskPartitionOptions(4));
        Assert.True(topology.IsPartitionQueue("risk-evaluator-pnl-0"));
        Assert.True(topology.IsPartitionQueue("risk-evaluator-ticker-3"));
        Assert.False(topology.IsPartitionQueue("risk-evaluator-pnl-4"));        // beyond RISK_PARTITIONS: left from a larger count
        Assert.False(topology.IsPartitionQueue("risk-evaluator-pnl"));          // the unpartitioned version's queue
        Assert.False(topology.IsPartitionQueue("risk-evaluator-kill-switch"));
        Assert.Equal("risk-evaluator-pnl-2", RiskPartitionTopology.QueueOf(new Uri("rabbitmq://127.0.0.1:5672/vhost/risk-evaluator-pnl-2?singleActiveConsumer=true")));
    }

    [Fact]
    public void The_partition_key_is_the_routing_key_and_a_key_too_long_for_amqp_becomes_a_stable_hash()
    {
        Assert.Equal("acct\ncarry", PartitionRoutingKeys.Pnl("acct", "carry"));
        Assert.Equal("BTC-USD", PartitionRoutingKeys.Ticker("BTC-USD"));
        var longStrategy = new string('s', 300);
        var key = PartitionRoutingKeys.Pnl("acct", longStrategy);
        Assert.StartsWith("xxh64:", key);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(key) <= PartitionRoutingKeys.MaxRoutingKeyBytes);
        Assert.Equal(key, PartitionRoutingKeys.Pnl("acct", longStrategy));
        Assert.NotEqual(key, PartitionRoutingKeys.Pnl("acct2", longStrategy));
    }
}
