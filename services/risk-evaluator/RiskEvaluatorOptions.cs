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
    public const string VolatilityMethodSetting = "VOLATILITY_METHOD";
    public const string AtrWindowSetting = "ATR_WINDOW";
    public const string EwmaLambdaSetting = "EWMA_LAMBDA";
    public const string StdWindowSetting = "VOLATILITY_WINDOW";
    public const string BandMultiplierSetting = "BAND_MULTIPLIER";
    public const string DrawdownThresholdSetting = "ALERT_DRAWDOWN_THRESHOLD";
    public const string GarchFitWindowSetting = "GARCH_FIT_WINDOW";

    public static RiskEvaluatorOptions From(Settings settings)
    {
        var threshold = settings.Decimal(SettingNames.AlertPnlThreshold, 1000m, min: 0m);
        var method = settings.String(VolatilityMethodSetting, "ewma").ToLowerInvariant();
        if (!VolatilityModelFactory.Methods.Contains(method))
            throw new SettingsException($"{VolatilityMethodSetting} must be one of {string.Join(" | ", VolatilityModelFactory.Methods)}, got '{method}'.");
        return new RiskEvaluatorOptions(
            threshold,
            settings.Decimal(DrawdownThresholdSetting, threshold, min: 0m),
            method,
            new VolatilityOptions
            {
                StdWindow = settings.Int(StdWindowSetting, 20, 2, 100_000),
                EwmaLambda = settings.Double(EwmaLambdaSetting, EwmaVolatility.DefaultLambda, 0.5, 0.9999),
                AtrWindow = settings.Int(AtrWindowSetting, 14, 1, 100_000),
            },
            settings.Double(BandMultiplierSetting, 4.0, 0.1, 100),
            settings.Int(GarchFitWindowSetting, 500, Garch11Estimator.MinObservations, 100_000),
            RiskStateOptions.From(settings));
    }

    /// <summary>A new volatility model for one symbol; <c>garch</c> calibrates itself per symbol.</summary>
    public IVolatilityModel CreateModel() => VolatilityMethod == "garch"
        ? new SelfFittingGarchVolatility(GarchFitWindow)
        : VolatilityModelFactory.Create(VolatilityMethod, Volatility);
}
