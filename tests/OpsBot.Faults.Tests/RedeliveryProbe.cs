namespace OpsBot.Faults.Tests;

/// <summary>The probe message of the delayed-redelivery tests: fails until round <see cref="SucceedInRound"/>.</summary>
public sealed record RedeliveryProbe(Guid Id, int SucceedInRound, bool Retryable);
