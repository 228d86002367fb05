using OpsBot.Contracts;

namespace OpsBot.Faults.Tests.Partitions;

/// <summary>An alert the test saw, and when (Stopwatch ticks).</summary>
public sealed record SeenAlert(AlertRaised Alert, long At);
