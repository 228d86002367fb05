using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

/// <summary>risk-evaluator's settings, read once at start-up.</summary>
public sealed record RiskEvaluatorOptions(decimal PnlLossThreshold)
{
    public static RiskEvaluatorOptions From(Settings settings) => new(
        settings.Decimal(SettingNames.AlertPnlThreshold, 1000m, min: 0m));
}
