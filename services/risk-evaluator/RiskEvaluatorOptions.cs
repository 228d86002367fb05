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
    /// <summary>RISK_RESOLVE_HYSTERESIS: how far PnL must be back above a loss line, and drawdown back below its limit, to resolve.</summary>
    public decimal ResolveHysteresis { get; init; }

    /// <summary>RISK_BAND_RESOLVE_AFTER: how long (exchange time) a price must be out of a side's breach to resolve it.</summary>
    public TimeSpan BandResolveAfter { get; init; } = PriceBandEvaluator.DefaultResolveAfter;

    /// <summary>
    /// The default hysteresis: 10 % of the smaller active limit (ALERT_PNL_THRESHOLD, and ALERT_DRAWDOWN_THRESHOLD when on).
    /// Large enough that PnL noise around a line (ticks of a few currency units against a 1,000 line) does not open and
    /// close an incident on every update; small enough that a real recovery resolves soon (at −900 for a −1,000 line).
    /// </summary>
    public static decimal DefaultHysteresis(decimal pnlThreshold, decimal drawdownThreshold) =>
        0.1m * (drawdownThreshold > 0 ? Math.Min(pnlThreshold, drawdownThreshold) : pnlThreshold);

    public static RiskEvaluatorOptions From(Settings settings)
    {
        var threshold = settings.Decimal(RiskEvaluatorSettingNames.AlertPnlThreshold, 1000m, min: 0m);
        var method = settings.String(RiskEvaluatorSettingNames.VolatilityMethod, "ewma").ToLowerInvariant();
        if (!VolatilityModelFactory.Methods.Contains(method))
            throw new SettingsException($"{RiskEvaluatorSettingNames.VolatilityMethod} must be one of {string.Join(" | ", VolatilityModelFactory.Methods)}, got '{method}'.");
        var drawdown = settings.Decimal(RiskEvaluatorSettingNames.AlertDrawdownThreshold, threshold, min: 0m);
        var hysteresis = settings.Decimal(RiskEvaluatorSettingNames.RiskResolveHysteresis, DefaultHysteresis(threshold, drawdown), min: 0m);
        if (threshold > 0 && hysteresis >= threshold)
            throw new SettingsException($"{RiskEvaluatorSettingNames.RiskResolveHysteresis} ({hysteresis}) must be below {RiskEvaluatorSettingNames.AlertPnlThreshold} ({threshold}), or a loss would resolve only above zero.");
        if (drawdown > 0 && hysteresis >= drawdown)
            throw new SettingsException($"{RiskEvaluatorSettingNames.RiskResolveHysteresis} ({hysteresis}) must be below {RiskEvaluatorSettingNames.AlertDrawdownThreshold} ({drawdown}), or a drawdown would resolve only at a new peak.");
        return new RiskEvaluatorOptions(
            threshold,
            drawdown,
            method,
            new VolatilityOptions
            {
                StdWindow = settings.Int(RiskEvaluatorSettingNames.VolatilityWindow, 20, 2, 100_000),
                EwmaLambda = settings.Double(RiskEvaluatorSettingNames.EwmaLambda, EwmaVolatility.DefaultLambda, 0.5, 0.9999),
                AtrWindow = settings.Int(RiskEvaluatorSettingNames.AtrWindow, 14, 1, 100_000),
            },
            settings.Double(RiskEvaluatorSettingNames.BandMultiplier, 4.0, 0.1, 100),
            settings.Int(RiskEvaluatorSettingNames.GarchFitWindow, 500, Garch11Estimator.MinObservations, 100_000),
            RiskStateOptions.From(settings))
        {
            ResolveHysteresis = hysteresis,
            BandResolveAfter = TimeSpan.FromSeconds(settings.Int(RiskEvaluatorSettingNames.RiskBandResolveAfter, (int)PriceBandEvaluator.DefaultResolveAfter.TotalSeconds, 0, 86_400)),
        };
    }

    /// <summary>A new volatility model for one symbol; <c>garch</c> calibrates itself per symbol.</summary>
    public IVolatilityModel CreateModel() => VolatilityMethod == "garch"
        ? new SelfFittingGarchVolatility(GarchFitWindow)
        : VolatilityModelFactory.Create(VolatilityMethod, Volatility);
}
