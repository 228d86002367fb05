namespace OpsBot.RiskEvaluator;

/// <summary>risk-evaluator's own settings by their public names (the shared ones are in <c>SettingNames</c>); docs/risk.md describes them.</summary>
public static class RiskEvaluatorSettingNames
{
    // Rules
    public const string AlertPnlThreshold = "ALERT_PNL_THRESHOLD";
    public const string AlertDrawdownThreshold = "ALERT_DRAWDOWN_THRESHOLD";
    public const string VolatilityMethod = "VOLATILITY_METHOD";
    public const string VolatilityWindow = "VOLATILITY_WINDOW";
    public const string EwmaLambda = "EWMA_LAMBDA";
    public const string AtrWindow = "ATR_WINDOW";
    public const string GarchFitWindow = "GARCH_FIT_WINDOW";
    public const string BandMultiplier = "BAND_MULTIPLIER";

    // Resolution
    public const string RiskResolveHysteresis = "RISK_RESOLVE_HYSTERESIS";
    public const string RiskBandResolveAfter = "RISK_BAND_RESOLVE_AFTER";

    // Partitions
    public const string RiskPartitions = "RISK_PARTITIONS";

    // Durable state
    public const string RiskRedisPrefix = "RISK_REDIS_PREFIX";
    public const string RiskStateTtl = "RISK_STATE_TTL";
    public const string RiskStateIdleEviction = "RISK_STATE_IDLE_EVICTION";
    public const string RiskStateRefresh = "RISK_STATE_REFRESH";
    public const string RiskRedisTimeoutMs = "RISK_REDIS_TIMEOUT_MS";
}
