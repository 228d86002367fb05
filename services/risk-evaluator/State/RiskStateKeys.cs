namespace OpsBot.RiskEvaluator.State;

/// <summary>
/// Redis key names (docs/risk.md): <c>{prefix}strategy:{account}:{strategy}</c> and <c>{prefix}symbol:{symbol}</c>,
/// each part URI-escaped so a ':' inside a name cannot make two keys collide.
/// </summary>
public sealed class RiskStateKeys(string prefix)
{
    public string Strategy(string account, string strategy) =>
        $"{prefix}strategy:{Uri.EscapeDataString(account)}:{Uri.EscapeDataString(strategy)}";

    public string Symbol(string symbol) => $"{prefix}symbol:{Uri.EscapeDataString(symbol)}";
}
