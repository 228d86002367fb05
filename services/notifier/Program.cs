using OpsBot.Notifier;
using OpsBot.ServiceDefaults;

// notifier: AlertRaised -> Slack (and Teams); AlertDelivered / AlertDeliveryFailed.
return OpsBotService.Run(args, "notifier", builder =>
{
    var options = builder.AddNotifier();
    builder.AddOpsBotBus(bus => bus.AddNotifierConsumers(options));
});
