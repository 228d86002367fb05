using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator.State;

/// <summary>Where and how long risk-evaluator keeps its per-strategy and per-symbol state (docs/risk.md, "Durable state").</summary>
/// <param name="RedisUrl">REDIS_URL (a secret: may carry a password; never logged).</param>
/// <param name="Prefix">RISK_REDIS_PREFIX: prefix of every key.</param>
/// <param name="Ttl">RISK_STATE_TTL: a key expires this long after its last write.</param>
/// <param name="IdleEviction">RISK_STATE_IDLE_EVICTION: a strategy or symbol unseen this long leaves memory.</param>
/// <param name="RedisTimeout">RISK_REDIS_TIMEOUT_MS: the most a message waits on one Redis read or write.</param>
/// <param name="Refresh">RISK_STATE_REFRESH: a strategy whose judgement (loss level, session, peak, breach) did not change is
/// written again only after this long; a change is always written at once. Zero writes every update.</param>
public sealed record RiskStateOptions(string RedisUrl, string Prefix, TimeSpan Ttl, TimeSpan IdleEviction, TimeSpan RedisTimeout, TimeSpan Refresh)
{
    public static RiskStateOptions From(Settings settings)
    {
        var prefix = settings.String(RiskEvaluatorSettingNames.RiskRedisPrefix, "opsbot:risk:");
        if (prefix.Length == 0 || prefix.Any(char.IsWhiteSpace))
            throw new SettingsException($"{RiskEvaluatorSettingNames.RiskRedisPrefix} must be a non-empty key prefix without blanks, got '{prefix}'.");
        var ttl = TimeSpan.FromSeconds(settings.Int(RiskEvaluatorSettingNames.RiskStateTtl, 7 * 24 * 3600, 60, int.MaxValue));
        var refresh = TimeSpan.FromSeconds(settings.Int(RiskEvaluatorSettingNames.RiskStateRefresh, 30, 0, 3600));
        if (refresh * 2 > ttl)
            throw new SettingsException($"{RiskEvaluatorSettingNames.RiskStateRefresh} ({refresh.TotalSeconds:F0} s) must be at most half of {RiskEvaluatorSettingNames.RiskStateTtl} ({ttl.TotalSeconds:F0} s), or an active strategy's key could expire between two writes.");
        return new RiskStateOptions(
            settings.String(SettingNames.RedisUrl, "localhost:6379"),
            prefix,
            ttl,
            TimeSpan.FromSeconds(settings.Int(RiskEvaluatorSettingNames.RiskStateIdleEviction, 3600, 1, int.MaxValue)),
            TimeSpan.FromMilliseconds(settings.Int(RiskEvaluatorSettingNames.RiskRedisTimeoutMs, 250, 10, 60_000)),
            refresh);
    }

    /// <summary>Printable without the Redis URL (it may carry a password).</summary>
    public override string ToString() =>
        $"RiskStateOptions {{ Prefix = {Prefix}, Ttl = {Ttl}, IdleEviction = {IdleEviction}, RedisTimeout = {RedisTimeout}, Refresh = {Refresh} }}";
}
