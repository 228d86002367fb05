namespace OpsBot.RiskEvaluator.State;

/// <summary>
/// One key's serialised state with its fence version: <paramref name="Time"/> (the AsOf or exchange time the
/// state was judged at, microseconds since the Unix epoch) and <paramref name="Updates"/> (messages absorbed,
/// the tie-breaker). A state replaces a stored one only when it is not older by (Time, Updates).
/// </summary>
public sealed record StateRecord(string Key, RiskStateKind Kind, long Time, long Updates, string Json)
{
    public bool IsNewerThan(StateRecord other) => Time > other.Time || (Time == other.Time && Updates > other.Updates);

    /// <summary>Microseconds since the Unix epoch: exact in Redis' Lua numbers (doubles) for centuries.</summary>
    public static long Micros(DateTimeOffset at) => at <= DateTimeOffset.UnixEpoch ? 0 : (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
