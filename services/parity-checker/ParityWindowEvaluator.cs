using MassTransit;

namespace OpsBot.ParityChecker;

/// <summary>
/// Every second, compares the windows that are due and publishes a ParityReport each, an AlertRaised on FAIL and,
/// on the first PASS after a FAIL, one AlertResolved (<see cref="ParityIncident"/> decides).
/// </summary>
public sealed class ParityWindowEvaluator(
    ParityWindowStore store,
    ParityComparer comparer,
    ParityReportFactory reports,
    IBus bus,
    ParityMetrics metrics,
    ParityIncident incident,
    TimeProvider time,
    ILogger<ParityWindowEvaluator> logger) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await EvaluateDueAsync(stoppingToken);
        }
        catch (OperationCanceledException) { }
    }

    public async Task EvaluateDueAsync(CancellationToken cancellationToken)
    {
        foreach (var window in store.TakeDue(time.GetUtcNow()))
        {
            var outcome = comparer.Compare(window);
            metrics.Window(outcome.Status);
            var correlationId = Guid.NewGuid();
            var counts = string.Join("; ", outcome.Counts.Select(c => $"{c.Key}: {string.Join(", ", c.Value.Select(kv => $"{kv.Key} {kv.Value}"))}"));
            if (outcome.Passed)
                logger.LogInformation("Parity PASS for {Start:O}..{End:O} ({Counts})", outcome.WindowStart, outcome.WindowEnd, counts);
            else
                logger.LogWarning("Parity FAIL for {Start:O}..{End:O} ({Counts}): {Differences}", outcome.WindowStart, outcome.WindowEnd, counts, string.Join(" | ", outcome.Differences));
            try
            {
                await bus.Publish(reports.Report(outcome, correlationId), cancellationToken);
                if (!outcome.Passed)
                {
                    await bus.Publish(reports.Alert(outcome, correlationId), cancellationToken);
                    incident.Failed();
                }
                else if (incident.ResolvesOnPass(out var afterRestart))
                {
                    var resolved = reports.Resolved(outcome, correlationId, afterRestart);
                    await bus.Publish(resolved, cancellationToken);
                    incident.Passed();
                    metrics.Resolved();
                    logger.LogInformation("Resolved {DedupKey}: {Reason}", resolved.DedupKey, resolved.Reason);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError("Cannot publish the parity report for {Start:O}: {Error}", outcome.WindowStart, e.Message);
            }
        }
    }
}
