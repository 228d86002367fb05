namespace OpsBot.LoadTest;

/// <summary>What one scenario measured.</summary>
public sealed record LoadResult
{
    public required string Scenario { get; init; }
    public required int Rate { get; init; }
    public required double DurationSeconds { get; init; }
    /// <summary>Seconds of load before the measured run (until JIT settled), left out of every number.</summary>
    public required double WarmupSeconds { get; init; }
    public required int Strategies { get; init; }
    public required bool Conflation { get; init; }
    public required long Sent { get; init; }
    public required double SentPerSecond { get; init; }
    /// <summary>PnL updates risk-evaluator consumed (its own MassTransit consume counter).</summary>
    public required long PnlDelivered { get; init; }
    public required double DeliveredPerSecond { get; init; }
    public required long Conflated { get; init; }
    public required long Dropped { get; init; }
    /// <summary>Whether the harness had its own queue on the PnlUpdated exchange (latencies, final PnL per strategy).</summary>
    public required bool ObservedEveryPnl { get; init; }
    /// <summary>Strategies whose last update sent never arrived: must be 0 (null when PnL was not observed).</summary>
    public required int? FinalPnlMissing { get; init; }
    /// <summary>Updates neither delivered nor superseded (sent − delivered − conflated − dropped).</summary>
    public required long Lost { get; init; }
    public required Percentiles PnlLatencyMs { get; init; }
    public required long LossesSent { get; init; }
    public required long AlertsReceived { get; init; }
    public required Percentiles AlertLatencyMs { get; init; }
    public required Percentiles SlackLatencyMs { get; init; }
    public required Dictionary<string, double> PeakResidentMb { get; init; }
}
