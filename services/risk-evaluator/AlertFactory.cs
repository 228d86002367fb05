using System.Globalization;
using OpsBot.Contracts;
using OpsBot.Risk;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

/// <summary>Builds the alerts risk-evaluator raises, with stable dedup keys and readable text.</summary>
public sealed class AlertFactory(ServiceIdentity service, TimeProvider time)
{
    /// <summary>
    /// Per strategy: one incident from the first warning to the resolution. The severity is in
    /// <see cref="AlertRaised.Severity"/>, not in the key (the notifier's dedup keeps an escalation apart by it).
    /// </summary>
    public static string PnlLossKey(string account, string strategy) => $"pnl-loss:{account}:{strategy}";

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
            DedupKey = PnlLossKey(update.Account, update.Strategy),
            Source = service.Name,
            Labels = PnlLossLabels(update, threshold),
        };
    }

    /// <summary>The loss incident of the strategy is over: PnL is back at or above −threshold + hysteresis.</summary>
    public AlertResolved PnlLossResolved(PnlUpdated update, decimal threshold, decimal hysteresis) =>
        Resolved(update.CorrelationId, update.AsOf, PnlLossKey(update.Account, update.Strategy),
            $"PnL of {update.Strategy} (account {update.Account}) is back at {Num(update.Total)} {update.Currency}, above the loss threshold of " +
            $"-{Num(threshold)} by at least the hysteresis of {Num(hysteresis)} (resolves at {Num(-threshold + hysteresis)}).",
            PnlLossLabels(update, threshold));

    private static Dictionary<string, string> PnlLossLabels(PnlUpdated update, decimal threshold) => new()
    {
        ["account"] = update.Account,
        ["strategy"] = update.Strategy,
        ["pnl_total"] = update.Total.ToString(CultureInfo.InvariantCulture),
        ["pnl_realized"] = update.Realized.ToString(CultureInfo.InvariantCulture),
        ["pnl_unrealized"] = update.Unrealized.ToString(CultureInfo.InvariantCulture),
        ["currency"] = update.Currency,
        ["threshold"] = threshold.ToString(CultureInfo.InvariantCulture),
        ["as_of"] = update.AsOf.ToString("O", CultureInfo.InvariantCulture),
    };

    public static string PriceBandKey(string symbol, bool above) => $"price-band:{symbol}:{(above ? "above" : "below")}";

    public static string DrawdownKey(string account, string strategy) => $"drawdown:{account}:{strategy}";

    /// <summary>One incident per scope: engaged raises it, the release resolves it.</summary>
    public static string KillSwitchKey(string scope) => $"kill-switch:{scope}";

    public AlertRaised PriceBand(TickerReceived ticker, PriceBandBreach breach)
    {
        var direction = breach.IsAbove ? "above" : "below";
        return Alert(ticker.CorrelationId, AlertSeverity.Warning, PriceBandKey(ticker.Symbol, breach.IsAbove),
            $"{ticker.Symbol} moved {direction} its price band: {Num(ticker.Price)}",
            $"{ticker.Symbol} traded at {Num(ticker.Price)}, {direction} the band [{breach.Lower:G6}, {breach.Upper:G6}] " +
            $"around the previous price {breach.PreviousPrice:G6} ({breach.Multiplier:G3} × σ, σ = {breach.Sigma:P3} by {breach.Model}).",
            BandLabels(ticker, breach.PreviousPrice, breach.Lower, breach.Upper, breach.Model, breach.Sigma, breach.Multiplier));
    }

    /// <summary>A side's price-band incident is over: the price has been out of that side's breach for <c>RISK_BAND_RESOLVE_AFTER</c>.</summary>
    public AlertResolved PriceBandResolved(TickerReceived ticker, BandResolution resolution)
    {
        var (incident, band, model) = (resolution.Incident, resolution.Band, resolution.Model);
        var direction = incident.Above ? "above" : "below";
        return Resolved(ticker.CorrelationId, ticker.ExchangeTime, PriceBandKey(ticker.Symbol, incident.Above),
            $"{ticker.Symbol} has been back inside its price band for {(ticker.ExchangeTime - incident.InsideSince!.Value).TotalSeconds:N0} s " +
            $"(since {incident.InsideSince.Value.UtcDateTime:HH:mm:ss} UTC, exchange time): {Num(ticker.Price)} within [{band.Lower:G6}, {band.Upper:G6}]; " +
            $"the breach {direction} at {Num(incident.BreachPrice)} is over.",
            BandLabels(ticker, resolution.PreviousPrice, band.Lower, band.Upper, model, band.Sigma, band.Multiplier));
    }

    private static Dictionary<string, string> BandLabels(TickerReceived ticker, double previous, double lower, double upper, string model, double sigma, double multiplier) => new()
    {
        ["symbol"] = ticker.Symbol,
        ["price"] = ticker.Price.ToString(CultureInfo.InvariantCulture),
        ["previous_price"] = previous.ToString("G10", CultureInfo.InvariantCulture),
        ["band_lower"] = lower.ToString("G10", CultureInfo.InvariantCulture),
        ["band_upper"] = upper.ToString("G10", CultureInfo.InvariantCulture),
        ["model"] = model,
        ["sigma"] = sigma.ToString("G6", CultureInfo.InvariantCulture),
        ["multiplier"] = multiplier.ToString("G6", CultureInfo.InvariantCulture),
        ["sequence"] = ticker.Sequence.ToString(CultureInfo.InvariantCulture),
    };

    public AlertRaised Drawdown(PnlUpdated update, DrawdownUpdate drawdown, decimal threshold) =>
        Alert(update.CorrelationId, AlertSeverity.Warning, DrawdownKey(update.Account, update.Strategy),
            $"Drawdown: {update.Strategy} is {Num(drawdown.Drawdown)} {update.Currency} off its peak",
            $"Strategy {update.Strategy} (account {update.Account}) fell from its session peak of {Num(drawdown.Peak)} to " +
            $"{Num(drawdown.Pnl)} {update.Currency}, a drawdown of {Num(drawdown.Drawdown)} beyond the limit of {Num(threshold)}.",
            DrawdownLabels(update, drawdown.Peak, drawdown.Drawdown, threshold));

    /// <summary>The drawdown incident is over: back within the limit by at least the hysteresis, a new session, or the rule turned off.</summary>
    public AlertResolved DrawdownResolved(PnlUpdated update, DrawdownResolution resolution, decimal threshold, decimal hysteresis) =>
        Resolved(update.CorrelationId, update.AsOf, DrawdownKey(update.Account, update.Strategy), resolution.Why switch
        {
            DrawdownClearing.NewSession =>
                $"A new session ({DateOnly.FromDateTime(update.AsOf.UtcDateTime):yyyy-MM-dd} UTC) started for {update.Strategy} (account {update.Account}): " +
                $"the drawdown of the session {resolution.PreviousSession:yyyy-MM-dd} is closed; PnL {Num(resolution.Pnl)} {update.Currency} is the new session's peak.",
            DrawdownClearing.RuleOff =>
                $"The drawdown rule is off (ALERT_DRAWDOWN_THRESHOLD=0): the drawdown of {update.Strategy} (account {update.Account}) is no longer watched.",
            _ =>
                $"Drawdown of {update.Strategy} (account {update.Account}) is back to {Num(resolution.Drawdown)} {update.Currency} off its session peak of " +
                $"{Num(resolution.Peak)} (PnL {Num(resolution.Pnl)}), within the limit of {Num(threshold)} by at least the hysteresis of {Num(hysteresis)}.",
        }, DrawdownLabels(update, resolution.Peak, resolution.Drawdown, threshold));

    private static Dictionary<string, string> DrawdownLabels(PnlUpdated update, decimal peak, decimal drawdown, decimal threshold) => new()
    {
        ["account"] = update.Account,
        ["strategy"] = update.Strategy,
        ["pnl_total"] = update.Total.ToString(CultureInfo.InvariantCulture),
        ["session_peak"] = peak.ToString(CultureInfo.InvariantCulture),
        ["drawdown"] = drawdown.ToString(CultureInfo.InvariantCulture),
        ["drawdown_limit"] = threshold.ToString(CultureInfo.InvariantCulture),
        ["currency"] = update.Currency,
    };

    /// <summary>An engaged kill switch is a critical incident of key <c>kill-switch:{scope}</c>; its release resolves it (<see cref="KillSwitchReleased"/>).</summary>
    public AlertRaised KillSwitchEngaged(KillSwitchChanged change) =>
        Alert(change.CorrelationId, AlertSeverity.Critical, KillSwitchKey(change.Scope),
            $"Kill switch ENGAGED ({change.Scope})",
            $"The platform's kill switch for {change.Scope} is engaged: trading in that scope is halted. Read from {change.Source}.",
            KillSwitchLabels(change));

    /// <summary>The release of the kill switch: resolves the scope's incident.</summary>
    public AlertResolved KillSwitchReleased(KillSwitchChanged change) =>
        Resolved(change.CorrelationId, change.Timestamp, KillSwitchKey(change.Scope),
            $"The platform's kill switch for {change.Scope} was released at {change.Timestamp.UtcDateTime:HH:mm:ss} UTC: trading may resume. Read from {change.Source}.",
            KillSwitchLabels(change));

    private static Dictionary<string, string> KillSwitchLabels(KillSwitchChanged change) => new()
    {
        ["scope"] = change.Scope,
        ["engaged"] = change.Engaged ? "true" : "false",
        ["source"] = change.Source,
        ["changed_at"] = change.Timestamp.ToString("O", CultureInfo.InvariantCulture),
    };

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

    private AlertResolved Resolved(Guid correlationId, DateTimeOffset clearedAt, string key, string reason, Dictionary<string, string> labels) => new()
    {
        CorrelationId = correlationId,
        Timestamp = clearedAt,
        DedupKey = key,
        Reason = reason,
        Source = service.Name,
        Labels = labels,
    };

    private static string Num(decimal value) => value.ToString("N2", CultureInfo.InvariantCulture);
}
