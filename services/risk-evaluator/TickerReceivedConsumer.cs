using MassTransit;
using OpsBot.Contracts;
using OpsBot.Risk;
using OpsBot.RiskEvaluator.State;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Judges each ticker against its symbol's price band (<see cref="PriceBandEvaluator"/>), publishes a breach alert
/// or the resolution of a side's incident and waits for the broker's confirm, then advances and commits the symbol's state; publishes the symbol's
/// current band (<c>PriceBandUpdated</c>) at most every few seconds. Ticks are ordered by exchange time and the
/// same market event from both feed clients is taken once (docs/risk.md, "Feed ordering").
/// </summary>
public sealed class TickerReceivedConsumer(
    PriceBandEvaluator evaluator, RiskStateCache states, AlertFactory alerts, AlertPublisher publisher, BandEdges edges,
    RiskMetrics metrics, TimeProvider time, ILogger<TickerReceivedConsumer> logger) : IConsumer<TickerReceived>
{
    /// <summary>How often a symbol's band is published at most (<c>PriceBandUpdated</c>, for the ops-bot's <c>/ops risk</c>).</summary>
    public static readonly TimeSpan BandPublishInterval = TimeSpan.FromSeconds(5);

    public async Task Consume(ConsumeContext<TickerReceived> context)
    {
        var ticker = context.Message;
        var entry = await states.SymbolAsync(ticker.Symbol, context.CancellationToken);
        var state = entry.State;
        var decision = evaluator.Evaluate(state, ticker);
        switch (decision.Outcome)
        {
            case TickOutcome.NonPositivePrice:
                metrics.Ignored("ticker", "non_positive_price");
                logger.LogWarning("Ignoring ticker of {Symbol} from {Client}: price {Price} is not positive", ticker.Symbol, ticker.Client, ticker.Price);
                return;
            case TickOutcome.Stale:
                metrics.Ignored("ticker", "stale");
                logger.LogDebug("Ignoring stale ticker of {Symbol} from {Client} at {ExchangeTime:O}", ticker.Symbol, ticker.Client, ticker.ExchangeTime);
                return;
            case TickOutcome.Duplicate:
                metrics.Ignored("ticker", "duplicate");
                return;
        }
        if (decision.Alert is { } breach)
            await publisher.PublishAsync(context, alerts.PriceBand(ticker, breach));
        if (decision.ResolvedAbove is { } above)
            await publisher.PublishAsync(context, alerts.PriceBandResolved(ticker, above));
        if (decision.ResolvedBelow is { } below)
            await publisher.PublishAsync(context, alerts.PriceBandResolved(ticker, below));
        PriceBandEvaluator.Apply(state, ticker, decision);
        await states.CommitAsync(entry);
        if (decision.ResolvedAbove is not null) metrics.Resolved("price_band");
        if (decision.ResolvedBelow is not null) metrics.Resolved("price_band");
        metrics.Evaluated("ticker");

        var now = time.GetUtcNow();
        if (now - state.LastBandPublished >= BandPublishInterval && state.Model.IsReady && state.LastPrice > 0)
        {
            state.LastBandPublished = now;
            var band = PriceBand.Around((double)state.LastPrice, state.Model.Sigma, evaluator.Multiplier);
            var (center, lower, upper) = edges.ToDecimal(ticker.Symbol, band);
            await context.Publish(new PriceBandUpdated
            {
                CorrelationId = ticker.CorrelationId,
                Timestamp = now,
                Symbol = ticker.Symbol,
                Model = state.Model.Name,
                Volatility = state.Model.Sigma,
                Reference = center,
                Lower = lower,
                Upper = upper,
                Multiplier = evaluator.Multiplier,
            });
        }
    }
}
