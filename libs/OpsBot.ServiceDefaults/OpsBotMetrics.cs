using System.Diagnostics.Metrics;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// Meters of OpsBot's own, exported at <c>/metrics</c> (docs/observability.md lists them all). One scheme:
/// <list type="bullet">
/// <item>a meter is named after the assembly that owns it: <c>OpsBot.&lt;Assembly&gt;</c> (<c>OpsBot.PnlIngest</c>,
/// <c>OpsBot.Notifier</c>, <c>OpsBot.Bot</c>, the shared <c>OpsBot.PlatformMetrics</c>, …);</item>
/// <item>an instrument is named <c>opsbot.&lt;area&gt;.&lt;what&gt;</c>, lower case, words joined by <c>_</c>, the unit
/// given as <c>unit:</c> (never in the name); Prometheus shows it as <c>opsbot_&lt;area&gt;_&lt;what&gt;</c> plus
/// <c>_seconds</c> for a unit of <c>s</c> and <c>_total</c> for a counter.</item>
/// </list>
/// </summary>
public static class OpsBotMetrics
{
    public const string MeterPrefix = "OpsBot.";

    /// <summary>The meter <c>OpsBot.&lt;assembly&gt;</c>; <paramref name="assembly"/> is the owning assembly's name without <c>OpsBot.</c>.</summary>
    public static Meter CreateMeter(string assembly)
    {
        if (assembly.Length == 0 || !char.IsAsciiLetterUpper(assembly[0]) || !assembly.All(char.IsAsciiLetterOrDigit))
            throw new ArgumentException($"a meter is named after its assembly (OpsBot.<Assembly>, e.g. PnlIngest), got '{assembly}'", nameof(assembly));
        return new(MeterPrefix + assembly);
    }
}
