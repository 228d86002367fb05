using System.Globalization;
using OpsBot.Contracts;
using OpsBot.Risk;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

/// <summary>Builds the alerts risk-evaluator raises, with stable dedup keys and readable text.</summary>
public sealed class AlertFactory(ServiceIdentity service, TimeProvider time)
{
    /// <summary>Per strategy and level: an escalation from warning to critical is a new condition, never folded into the warning.</summary>
    public static string PnlLossKey(string account, string strategy, AlertSeverity severity) =>
        $"pnl-loss:{account}:{strategy}:{severity.ToString().ToLowerInvariant()}";

    public AlertRaised PnlLoss(PnlUpdated update, AlertSeverity severity, decimal threshold)
    {
        var total = update.Total.ToString("N2", CultureInfo.InvariantCulture);
        var limit = threshold.ToString("N2", CultureInfo.InvariantCulture);
        return new AlertRaised
        {
            CorrelationId = update.CorrelationId,
            Timestamp = time.GetUtcNow(),
            AlertId = Guid.NewGuid(),
            Severity = severity,
            Title = $"PnL loss: {update.Strategy} at {total} {update.Currency}",
            Text = $"Strategy {update.Strategy} (account {update.Account}) is at {total} {update.Currency}, " +
                   $"below the loss threshold of -{limit} {update.Currency}" +
                   (severity == AlertSeverity.Critical ? " by more than twice the threshold." : "."),
            DedupKey = PnlLossKey(update.Account, update.Strategy, severity),
            Source = service.Name,
            Labels = new Dictionary<string, string>
            {
                ["account"] = update.Account,
                ["strategy"] = update.Strategy,
                ["pnl_total"] = update.Total.ToString(CultureInfo.InvariantCulture),
                ["pnl_realized"] = update.Realized.ToString(CultureInfo.InvariantCulture),
                ["pnl_unrealized"] = update.Unrealized.ToString(CultureInfo.InvariantCulture),
                ["currency"] = update.Currency,
                ["threshold"] = threshold.ToString(CultureInfo.InvariantCulture),
                ["as_of"] = update.AsOf.ToString("O", CultureInfo.InvariantCulture),
            },
        };
    }

    public static string PriceBandKey(string symbol, bool above) => $"price-band:{symbol}:{(above ? "above" : "below")}";

    public static string DrawdownKey(string account, string strategy) => $"drawdown:{account}:{strategy}";

    public static string KillSwitchKey(string scope, bool engaged) => $"kill-switch:{scope}:{(engaged ? "engaged" : "released")}";

    public AlertRaised PriceBand(TickerReceived ticker, PriceBandBreach breach)
    {
        var direction = breach.IsAbove ? "above" : "below";
        return Alert(ticker.CorrelationId, AlertSeverity.Warning, PriceBandKey(ticker.Symbol, breach.IsAbove),
            $"{ticker.Symbol} moved {direction} its price band: {Num(ticker.Price)}",
            $"{ticker.Symbol} traded at {Num(ticker.Price)}, {direction} the band [{breach.Lower:G6}, {breach.Upper:G6}] " +
            $"around the previous price {breach.PreviousPrice:G6} ({breach.Multiplier:G3} × σ, σ = {breach.Sigma:P3} by {breach.Model}).",
            new Dictionary<string, string>
            {
                ["symbol"] = ticker.Symbol,
                ["price"] = ticker.Price.ToString(CultureInfo.InvariantCulture),
                ["previous_price"] = breach.PreviousPrice.ToString("G10", CultureInfo.InvariantCulture),
                ["band_lower"] = breach.Lower.ToString("G10", CultureInfo.InvariantCulture),
                ["band_upper"] = breach.Upper.ToString("G10", CultureInfo.InvariantCulture),
                ["model"] = breach.Model,
                ["sigma"] = breach.Sigma.ToString("G6", CultureInfo.InvariantCulture),
                ["multiplier"] = breach.Multiplier.ToString("G6", CultureInfo.InvariantCulture),
                ["sequence"] = ticker.Sequence.ToString(CultureInfo.InvariantCulture),
            });
    }

    public AlertRaised Drawdown(PnlUpdated update, DrawdownUpdate drawdown, decimal threshold) =>
        Alert(update.CorrelationId, AlertSeverity.Warning, DrawdownKey(update.Account, update.Strategy),
            $"Drawdown: {update.Strategy} is {Num(drawdown.Drawdown)} {update.Currency} off its peak",
            $"Strategy {update.Strategy} (account {update.Account}) fell from its session peak of {Num(drawdown.Peak)} to " +
            $"{Num(drawdown.Pnl)} {update.Currency}, a drawdown of {Num(drawdown.Drawdown)} beyond the limit of {Num(threshold)}.",
            new Dictionary<string, string>
            {
                ["account"] = update.Account,
                ["strategy"] = update.Strategy,
                ["pnl_total"] = update.Total.ToString(CultureInfo.InvariantCulture),
                ["session_peak"] = drawdown.Peak.ToString(CultureInfo.InvariantCulture),
                ["drawdown"] = drawdown.Drawdown.ToString(CultureInfo.InvariantCulture),
                ["drawdown_limit"] = threshold.ToString(CultureInfo.InvariantCulture),
                ["currency"] = update.Currency,
            });

    /// <summary>Engaged is critical, released a warning; the key carries the state so the two never fold into each other.</summary>
    public AlertRaised KillSwitch(KillSwitchChanged change) =>
        Alert(change.CorrelationId, change.Engaged ? AlertSeverity.Critical : AlertSeverity.Warning, KillSwitchKey(change.Scope, change.Engaged),
            change.Engaged ? $"Kill switch ENGAGED ({change.Scope})" : $"Kill switch released ({change.Scope})",
            change.Engaged
                ? $"The platform's kill switch for {change.Scope} is engaged: trading in that scope is halted. Read from {change.Source}."
                : $"The platform's kill switch for {change.Scope} was released: trading may resume. Read from {change.Source}.",
            new Dictionary<string, string>
            {
                ["scope"] = change.Scope,
                ["engaged"] = change.Engaged ? "true" : "false",
                ["source"] = change.Source,
                ["changed_at"] = change.Timestamp.ToString("O", CultureInfo.InvariantCulture),
            });

    private AlertRaised Alert(Guid correlationId, AlertSeverity severity, string key, string title, string text, Dictionary<string, string> labels) => new()
    {
        CorrelationId = correlationId,
        Timestamp = time.GetUtcNow(),
        AlertId = Guid.NewGuid(),
        Severity = severity,
        Title = title,
        Text = text,
        DedupKey = key,
        Source = service.Name,
        Labels = labels,
    };

    private static string Num(decimal value) => value.ToString("N2", CultureInfo.InvariantCulture);
}
