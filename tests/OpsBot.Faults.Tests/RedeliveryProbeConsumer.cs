using MassTransit;
using OpsBot.ServiceDefaults;

namespace OpsBot.Faults.Tests;

public sealed class RedeliveryProbeConsumer(ProbeJournal journal) : IConsumer<RedeliveryProbe>
{
    public const string Queue = "redelivery-probe";

    public Task Consume(ConsumeContext<RedeliveryProbe> context)
    {
        var round = context.GetRedeliveryCount();
        var succeed = round >= context.Message.SucceedInRound;
        journal.Attempts.Enqueue(new ProbeAttempt(context.Message.Id, round, context.GetBrokerDelayedRedelivery()?.Round, DateTime.UtcNow,
            context.MessageId, context.CorrelationId, succeed));
        if (succeed) return Task.CompletedTask;
        throw context.Message.Retryable ? new InvalidOperationException($"probe fails in round {round}") : new NonRetryableException($"probe fails in round {round}");
    }
}
