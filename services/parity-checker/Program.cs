using OpsBot.ParityChecker;
using OpsBot.ServiceDefaults;

// parity-checker: TickerReceived / UserUpdateReceived of both feed clients -> ParityReport per window (+ AlertRaised on FAIL).
return OpsBotService.Run(args, "parity-checker", builder =>
{
    builder.AddParityChecker();
    builder.AddOpsBotBus(bus => bus.AddParityConsumers());
});
