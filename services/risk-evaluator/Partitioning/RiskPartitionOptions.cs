using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

/// <summary>How risk-evaluator's work is split across replicas (<c>RISK_PARTITIONS</c>), read once at start-up.</summary>
public sealed record RiskPartitionOptions(int Partitions)
{
    public const int DefaultPartitions = 8;
    public const int MaxPartitions = 256;

    public static RiskPartitionOptions From(Settings settings) =>
        new(settings.Int(RiskEvaluatorSettingNames.RiskPartitions, DefaultPartitions, 1, MaxPartitions));
}
