namespace OpsBot.PnlIngest;

/// <summary>pnl-ingest's own settings by their public names (the shared ones are in <c>SettingNames</c>, the kill-switch scrape's in <c>PlatformMetricsSettingNames</c>).</summary>
public static class PnlIngestSettingNames
{
    public const string PnlChannel = "PNL_CHANNEL";
    public const string PnlBufferCapacity = "PNL_BUFFER_CAPACITY";
    public const string PnlConflation = "PNL_CONFLATION";
}
