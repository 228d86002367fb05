using OpsBot.Notifier;
using OpsBot.ServiceDefaults;

// notifier: AlertRaised → mute → dedup → group → deliver with retry → record, one queue per channel
// (notifier-slack, notifier-teams); silences and acknowledgements on notifier-silences.
return OpsBotService.Run(args, "notifier", builder =>
{
    var options = builder.AddNotifier();
    builder.AddOpsBotBus(bus => bus.AddNotifierConsumers(options));
});
