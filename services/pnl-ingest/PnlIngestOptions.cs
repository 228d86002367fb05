using OpsBot.ServiceDefaults;

namespace OpsBot.PnlIngest;

/// <summary>pnl-ingest's settings, read once at start-up. Printing it never prints the Redis password (<see cref="SensitiveUrl"/>).</summary>
public sealed record PnlIngestOptions(SensitiveUrl RedisUrl, string Channel, int BufferCapacity, bool Conflate = true)
{
    public static PnlIngestOptions From(Settings settings) => new(
        settings.String(SettingNames.RedisUrl, "localhost:6379"),
        settings.String(PnlIngestSettingNames.PnlChannel, "pnl"),
        settings.Int(PnlIngestSettingNames.PnlBufferCapacity, 10_000, 1, 10_000_000),
        settings.Bool(PnlIngestSettingNames.PnlConflation, true));
}
