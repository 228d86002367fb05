namespace OpsBot.PlatformMetrics.Tests;

/// <summary>Measurements of memory run alone, so no other test's allocations are counted in them.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;
