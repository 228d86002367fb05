using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Feeds each ticker to its symbol's price band and raises an alert when the price leaves the band;
/// publishes the symbol's current band (<c>PriceBandUpdated</c>) at most every few seconds.
/// </summary>
public sealed class TickerReceivedConsumer(PriceBandMonitor bands, AlertFactory alerts, TimeProvider time, ILogger<TickerReceivedConsumer> logger) : IConsumer<TickerReceived>
{
    public async Task Consume(ConsumeContext<TickerReceived> context)
    {
        var ticker = context.Message;
        if (bands.Observe(ticker.Symbol, ticker.Price, ticker.Sequence) is { } breach)
        {
            var alert = alerts.PriceBand(ticker, breach);
            logger.LogInformation("Raising {Severity} alert {DedupKey}: {Title}", alert.Severity, alert.DedupKey, alert.Title);
            await context.Publish(alert);
        }
        var now = time.GetUtcNow();
        if (bands.BandDue(ticker.Symbol, now) is { } due)
        {
            await context.Publish(new PriceBandUpdated
            {
                CorrelationId = ticker.CorrelationId,
                Timestamp = now,
                Symbol = ticker.Symbol,
                Model = due.Model,
                Volatility = due.Sigma,
                Reference = (decimal)due.Band.Center,
                Lower = (decimal)due.Band.Lower,
                Upper = (decimal)due.Band.Upper,
                Multiplier = due.Multiplier,
            });
        }
    }
}
