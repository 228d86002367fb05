using OpsBot.Contracts;
using OpsBot.MarketFeed;

namespace OpsBot.ParityRun;

/// <summary>
/// A deliberate fault for proving the check (<c>PARITY_FAULT</c>): <c>drop:CLIENT:TYPE</c> loses that
/// client's third event of the type, <c>alter:CLIENT:TYPE</c> changes it (price +0.01, or status).
/// TYPE is <c>ticker</c> or <c>user_update</c>.
/// </summary>
public sealed record ParityFault(string Action, string Client, string Type)
{
    public const int Victim = 3;

    public static ParityFault? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "none") return null;
        var parts = text.Split(':');
        if (parts.Length != 3 || parts[0] is not ("drop" or "alter") || parts[1] is not (FeedClientNames.Raw or FeedClientNames.Sdk)
            || parts[2] is not ("ticker" or "user_update"))
            throw new ArgumentException($"PARITY_FAULT must be drop|alter:raw|sdk:ticker|user_update, got '{text}'");
        return new ParityFault(parts[0], parts[1], parts[2]);
    }

    public override string ToString() => $"{Action}:{Client}:{Type}";
}

/// <summary>Passes events on, applying the fault (if any) to the one it targets.</summary>
public sealed class FaultInjectingSink(IFeedSink inner, ParityFault? fault, string client) : IFeedSink
{
    private int _tickers, _updates;

    public void OnTicker(TickerReceived ticker)
    {
        if (Targets("ticker") && Interlocked.Increment(ref _tickers) == ParityFault.Victim)
        {
            if (fault!.Action == "drop") return;
            ticker = ticker with { Price = ticker.Price + 0.01m };
        }
        inner.OnTicker(ticker);
    }

    public void OnUserUpdate(UserUpdateReceived update)
    {
        if (Targets("user_update") && Interlocked.Increment(ref _updates) == ParityFault.Victim)
        {
            if (fault!.Action == "drop") return;
            update = update with { Status = update.Status + "_ALTERED" };
        }
        inner.OnUserUpdate(update);
    }

    private bool Targets(string type) => fault is not null && fault.Client == client && fault.Type == type;
}

/// <summary>Collects both clients' events into one window.</summary>
public sealed class CollectingSink(ParityChecker.ParityWindow window) : IFeedSink
{
    public void OnTicker(TickerReceived ticker) { lock (window) window.Add(ticker); }
    public void OnUserUpdate(UserUpdateReceived update) { lock (window) window.Add(update); }
}
