namespace OpsBot.Notifier.Routing;

/// <summary>
/// An inhibition rule (Alertmanager's <c>inhibit_rules</c>): while an open incident matching <see cref="Source"/> exists,
/// alerts matching <see cref="Target"/> with the same values of every label in <see cref="Equal"/> are held back.
/// </summary>
public sealed record InhibitRule(AlertMatcher Source, AlertMatcher Target, IReadOnlyList<string> Equal)
{
    /// <summary>
    /// The rule that applies when the routing file names none: an open critical incident of a strategy holds back
    /// warnings of the same strategy (same <c>account</c> and <c>strategy</c> labels): at 3 a.m. the critical loss is the
    /// message to read, not the drawdown warning that comes with it.
    /// </summary>
    public static readonly InhibitRule CriticalHoldsBackWarningsOfTheStrategy = new(
        new AlertMatcher(new HashSet<Contracts.AlertSeverity> { Contracts.AlertSeverity.Critical }, null, new Dictionary<string, string>()),
        new AlertMatcher(new HashSet<Contracts.AlertSeverity> { Contracts.AlertSeverity.Warning }, null, new Dictionary<string, string>()),
        ["account", "strategy"]);

    public override string ToString() => $"{Source} holds back {Target} with equal {string.Join(",", Equal)}";
}
