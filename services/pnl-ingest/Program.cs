using OpsBot.PnlIngest;
using OpsBot.ServiceDefaults;

// pnl-ingest: Redis channel PNL_CHANNEL -> validated PnlUpdated on the bus.
return OpsBotService.Run(args, "pnl-ingest", builder =>
{
    builder.AddOpsBotBus();
    builder.AddPnlIngest();
});
