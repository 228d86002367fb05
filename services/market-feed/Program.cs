using OpsBot.MarketFeed;
using OpsBot.ServiceDefaults;

// market-feed: exchange WebSocket (raw or library client, USE_OFFICIAL_SDK) -> TickerReceived, UserUpdateReceived on the bus.
return OpsBotService.Run(args, "market-feed", builder =>
{
    builder.AddOpsBotBus();
    builder.AddMarketFeed();
});
