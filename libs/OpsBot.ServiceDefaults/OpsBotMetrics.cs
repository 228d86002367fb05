using System.Diagnostics.Metrics;

namespace OpsBot.ServiceDefaults;

/// <summary>Meters of OpsBot's own, exported at <c>/metrics</c> with the prefix <c>opsbot_</c>.</summary>
public static class OpsBotMetrics
{
    public const string MeterPrefix = "OpsBot.";

    public static Meter CreateMeter(string serviceName) => new(MeterPrefix + serviceName);
}
