using System.Globalization;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsBot.Bot.Slack;
using OpsBot.Bot.State;
using OpsBot.PlatformMetrics;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.Commands;

public sealed class HelpHandler : ICommandHandler<HelpCommand>
{
    public Task<CommandReply> HandleAsync(HelpCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        var text = new StringBuilder("*OpsBot commands*\n");
        foreach (var usage in OpsCommandParser.Usages.Values) text.Append("• `").Append(usage).Append("`\n");
        text.Append("_killswitch_, _silence_, _unsilence_ and _resolve_ are for the admins in OPS_ADMINS; killswitch asks for confirmation.");
        return Task.FromResult(new CommandReply(text.ToString()));
    }
}

/// <summary>
/// Health (platform metrics), broker and Redis reachability, Slack connection, kill switch, alerts the notifier is
/// holding (waiting in <c>_delay_*</c>, parked in <c>_error</c>: <see cref="ParkedAlerts"/>), last PnL per strategy.
/// </summary>
public sealed class StatusHandler(
    PlatformMetricsState metrics,
    KillSwitchReader killSwitchReader,
    OpsStateCache cache,
    HealthCheckService health,
    SocketMode.SocketModeState socket,
    ParkedAlerts parked,
    TimeProvider time) : ICommandHandler<StatusCommand>
{
    public async Task<CommandReply> HandleAsync(StatusCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var text = new StringBuilder("*Status*\n");
        var state = metrics.Health();
        var lastGood = metrics.LastGood;
        text.Append("• platform metrics: *").Append(PlatformMetricsState.Label(state)).Append('*');
        if (lastGood is not null) text.Append(" (last good scrape ").Append(Formats.Age(now - lastGood.At)).Append(" ago)");
        if (metrics.Last is { Succeeded: false } last) text.Append(", last scrape failed: ").Append(ScrapeResult.Label(last.Failure));
        text.Append('\n');

        var report = await health.CheckHealthAsync(c => c.Tags.Contains(ServiceDefaultsExtensions.ReadyTag), cancellationToken);
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            text.Append("• ").Append(name).Append(": *").Append(entry.Status == HealthStatus.Healthy ? "reachable" : "unreachable").Append("*\n");
        text.Append("• Slack Socket Mode: ").Append(socket.Describe()).Append('\n');

        var switches = cache.KillSwitches();
        if (switches.Count > 0)
        {
            foreach (var (scope, change) in switches.OrderBy(s => s.Key, StringComparer.Ordinal))
                text.Append("• kill switch ").Append(SlackJson.Escape(scope)).Append(": *").Append(change.Engaged ? "ENGAGED" : "released").Append("* (since ").Append(Formats.Time(change.Timestamp)).Append(")\n");
        }
        else if (lastGood?.Metrics is { } parsed && killSwitchReader.Read(parsed) is { Count: > 0 } read)
        {
            foreach (var (scope, engaged) in read.OrderBy(s => s.Key, StringComparer.Ordinal))
                text.Append("• kill switch ").Append(SlackJson.Escape(scope)).Append(": *").Append(engaged ? "ENGAGED" : "released").Append("* (from the metrics)\n");
        }
        else text.Append("• kill switch: unknown (no KillSwitchChanged seen, not in the metrics)\n");

        text.Append(await parked.DescribeAsync(cancellationToken));

        var pnl = cache.Pnl();
        if (pnl.Count == 0) text.Append("• PnL: none received yet\n");
        foreach (var p in pnl.Take(10))
            text.Append("• PnL ").Append(SlackJson.Escape(p.Strategy)).Append(" (").Append(SlackJson.Escape(p.Account)).Append("): ")
                .Append(Formats.Money(p.Total, p.Currency)).Append(" as of ").Append(Formats.Time(p.AsOf)).Append('\n');
        if (pnl.Count > 10) text.Append("• … and ").Append(pnl.Count - 10).Append(" more strategies (`/ops pnl`)\n");
        return new CommandReply(text.ToString().TrimEnd());
    }
}

public sealed class PnlHandler(OpsStateCache cache) : ICommandHandler<PnlCommand>
{
    public Task<CommandReply> HandleAsync(PnlCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        var rows = cache.Pnl().Where(p => command.Strategy is null || p.Strategy.Equals(command.Strategy, StringComparison.OrdinalIgnoreCase)).ToList();
        if (rows.Count == 0)
            return Task.FromResult(new CommandReply(command.Strategy is null ? "No PnL received yet." : $"No PnL for strategy `{SlackJson.Escape(command.Strategy)}` yet."));
        var text = new StringBuilder("*PnL*\n");
        foreach (var p in rows.Take(40))
            text.Append("• ").Append(SlackJson.Escape(p.Strategy)).Append(" (").Append(SlackJson.Escape(p.Account)).Append("): total ")
                .Append(Formats.Money(p.Total, p.Currency)).Append(", realized ").Append(Formats.Money(p.Realized, p.Currency))
                .Append(", unrealized ").Append(Formats.Money(p.Unrealized, p.Currency)).Append(", as of ").Append(Formats.Time(p.AsOf)).Append('\n');
        return Task.FromResult(new CommandReply(text.ToString().TrimEnd()));
    }
}

public sealed class RiskHandler(OpsStateCache cache) : ICommandHandler<RiskCommand>
{
    public Task<CommandReply> HandleAsync(RiskCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        var symbols = command.Symbol is { } s
            ? [s]
            : cache.Tickers().Select(t => t.Symbol).Concat(cache.Bands().Select(b => b.Symbol)).Distinct(StringComparer.OrdinalIgnoreCase).Take(20).ToList();
        if (symbols.Count == 0) return Task.FromResult(new CommandReply("No market data or risk bands received yet."));
        var text = new StringBuilder("*Risk*\n");
        foreach (var symbol in symbols)
        {
            var ticker = cache.Ticker(symbol);
            var band = cache.Band(symbol);
            text.Append("• *").Append(SlackJson.Escape(symbol)).Append("*: ");
            if (ticker is null && band is null) { text.Append("nothing received for this symbol\n"); continue; }
            if (ticker is not null)
                text.Append("last ").Append(ticker.Price.ToString(CultureInfo.InvariantCulture)).Append(" at ").Append(Formats.Time(ticker.ExchangeTime)).Append(" (").Append(ticker.Client).Append(')');
            if (band is not null)
            {
                if (ticker is not null) text.Append("; ");
                text.Append("volatility ").Append((band.Volatility * 100).ToString("0.###", CultureInfo.InvariantCulture)).Append("% (").Append(band.Model)
                    .Append("), band ").Append(band.Lower.ToString(CultureInfo.InvariantCulture)).Append(" – ").Append(band.Upper.ToString(CultureInfo.InvariantCulture));
                if (ticker is not null && (ticker.Price < band.Lower || ticker.Price > band.Upper)) text.Append(" — *outside the band*");
            }
            else text.Append("; no price band received yet");
            text.Append('\n');
        }
        return Task.FromResult(new CommandReply(text.ToString().TrimEnd()));
    }
}

public sealed class ParityHandler(OpsStateCache cache) : ICommandHandler<ParityCommand>
{
    public Task<CommandReply> HandleAsync(ParityCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        if (cache.Parity is not { } report) return Task.FromResult(new CommandReply("No parity report received yet."));
        var text = new StringBuilder($"*Parity: {report.Status}* for {Formats.Time(report.WindowStart)} – {Formats.Time(report.WindowEnd)}\n");
        foreach (var (client, counts) in report.Counts.OrderBy(c => c.Key, StringComparer.Ordinal))
            text.Append("• ").Append(SlackJson.Escape(client)).Append(": ").Append(string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))).Append('\n');
        foreach (var difference in report.Differences.Take(10)) text.Append("• ✗ ").Append(SlackJson.Escape(difference)).Append('\n');
        return Task.FromResult(new CommandReply(text.ToString().TrimEnd()));
    }
}

internal static class Formats
{
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Money(decimal amount, string currency) => amount.ToString("#,0.00", CultureInfo.InvariantCulture) + " " + currency;

    public static string Age(TimeSpan age) => age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)} s" : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes} min" : $"{(int)age.TotalHours} h";
}
