using OpsBot.Bot;
using OpsBot.ServiceDefaults;

// ops-bot: Slack commands and buttons (Socket Mode or signed HTTP) -> KillSwitchRequested, SilenceRequested,
// AlertAcknowledged, CommandAudited; /healthz from the platform's metrics.
return OpsBotService.Run(args, "ops-bot", builder =>
{
    builder.AddOpsBot();
    builder.AddOpsBotBus(bus => bus.AddOpsBotConsumers());
}, app => app.MapOpsBot());
