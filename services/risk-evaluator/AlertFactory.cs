using System.Globalization;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

/// <summary>Builds the alerts risk-evaluator raises, with stable dedup keys and readable text.</summary>
public sealed class AlertFactory(ServiceIdentity service, TimeProvider time)
{
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
}
