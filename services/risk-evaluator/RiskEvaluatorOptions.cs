using OpsBot.Risk;
using OpsBot.RiskEvaluator.State;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

/// <summary>risk-evaluator's settings, read once at start-up.</summary>
public sealed record RiskEvaluatorOptions(
    decimal PnlLossThreshold,
    decimal DrawdownThreshold,
    string VolatilityMethod,
    VolatilityOptions Volatility,
    double BandMultiplier,
    int GarchFitWindow,
    RiskStateOptions State)
{
    public static RiskEvaluatorOptions From(Settings settings)
    {
        var threshold = settings.Decimal(RiskEvaluatorSettingNames.AlertPnlThreshold, 1000m, min: 0m);
        var method = settings.String(RiskEvaluatorSettingNames.VolatilityMethod, "ewma").ToLowerInvariant();
        if (!VolatilityModelFactory.Methods.Contains(method))
            throw new SettingsException($"{RiskEvaluatorSettingNames.VolatilityMethod} must be one of {string.Join(" | ", VolatilityModelFactory.Methods)}, got '{method}'.");
        return new RiskEvaluatorOptions(
            threshold,
            settings.Decimal(RiskEvaluatorSettingNames.AlertDrawdownThreshold, threshold, min: 0m),
            method,
            new VolatilityOptions
            {
                StdWindow = settings.Int(RiskEvaluatorSettingNames.VolatilityWindow, 20, 2, 100_000),
                EwmaLambda = settings.Double(RiskEvaluatorSettingNames.EwmaLambda, EwmaVolatility.DefaultLambda, 0.5, 0.9999),
                AtrWindow = settings.Int(RiskEvaluatorSettingNames.AtrWindow, 14, 1, 100_000),
            },
            settings.Double(RiskEvaluatorSettingNames.BandMultiplier, 4.0, 0.1, 100),
            settings.Int(RiskEvaluatorSettingNames.GarchFitWindow, 500, Garch11Estimator.MinObservations, 100_000),
            RiskStateOptions.From(settings));
    }

    /// <summary>A new volatility model for one symbol; <c>garch</c> calibrates itself per symbol.</summary>
    public IVolatilityModel CreateModel() => VolatilityMethod == "garch"
        ? new SelfFittingGarchVolatility(GarchFitWindow)
        : VolatilityModelFactory.Create(VolatilityMethod, Volatility);
}
