using System.IO.Hashing;
using System.Text;
using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// The partition key of the messages a stateful consumer handles per key (risk-evaluator: a strategy's PnL, a
/// symbol's ticks), carried as the AMQP routing key. The public exchanges are fanout exchanges, which ignore it, so
/// no other consumer sees a difference; it passes unchanged through exchange-to-exchange bindings to risk-evaluator's
/// consistent-hash exchanges, which route by it (docs/architecture.md, "Partitioned risk-evaluator").
/// Every service's bus sets it (<see cref="BusExtensions.AddOpsBotBus"/>), so pnl-ingest and market-feed need no code
/// of their own. A publisher that sets none (routing key "") is still served: all its messages hash to one partition.
/// </summary>
public static class PartitionRoutingKeys
{
    /// <summary>An AMQP routing key is a short string: at most 255 bytes.</summary>
    public const int MaxRoutingKeyBytes = 255;

    public static string Pnl(string account, string strategy) => Fit($"{account}\n{strategy}");

    public static string Ticker(string symbol) => Fit(symbol);

    /// <summary>Sets the routing key of every <c>PnlUpdated</c> (v1 and v2) and <c>TickerReceived</c> this bus publishes.</summary>
    public static void UsePartitionRoutingKeys(this IBusFactoryConfigurator cfg)
    {
        cfg.Send<PnlUpdated>(s => s.UseRoutingKeyFormatter(c => Pnl(c.Message.Account, c.Message.Strategy)));
        cfg.Send<PnlUpdatedV2>(s => s.UseRoutingKeyFormatter(c => Pnl(c.Message.Account, c.Message.Strategy)));
        cfg.Send<TickerReceived>(s => s.UseRoutingKeyFormatter(c => Ticker(c.Message.Symbol)));
    }

    /// <summary>The key itself when it fits, else a stable 64-bit hash of it (same key, same routing key, everywhere).</summary>
    private static string Fit(string key)
    {
        if (Encoding.UTF8.GetByteCount(key) <= MaxRoutingKeyBytes) return key;
        return "xxh64:" + Convert.ToHexStringLower(XxHash64.Hash(Encoding.UTF8.GetBytes(key)));
    }
}
