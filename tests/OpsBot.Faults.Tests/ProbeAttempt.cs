namespace OpsBot.Faults.Tests;

/// <summary>Every time the probe consumer ran: the round (MT-Redelivery-Count), when, and the ids it saw.</summary>
public sealed record ProbeAttempt(Guid Id, int Round, int? PayloadRound, DateTime At, Guid? MessageId, Guid? CorrelationId, bool Succeeded);
