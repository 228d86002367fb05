using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Middleware;
using MassTransit.Observables;
using MassTransit.RetryPolicies;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// Adds <see cref="BrokerDelayedRedeliveryFilter{T}"/> once per consumed message type, at the bus level and before the
/// in-process retry and the outbox are added, so it wraps them: it sees only the failure left after the retries, and
/// anything the consumer published through the outbox in a failed attempt has already been discarded.
/// </summary>
internal sealed class BrokerDelayedRedeliveryConfigurationObserver : ConfigurationObserver, IMessageConfigurationObserver
{
    private readonly BrokerDelayedRedelivery _registry;

    public BrokerDelayedRedeliveryConfigurationObserver(IConsumePipeConfigurator configurator, BrokerDelayedRedelivery registry)
        : base(configurator)
    {
        _registry = registry;
        Connect(this);
    }

    public void MessageConfigured<TMessage>(IConsumePipeConfigurator configurator) where TMessage : class =>
        configurator.AddPipeSpecification(new Specification<TMessage>(_registry));

    private sealed class Specification<TMessage>(BrokerDelayedRedelivery registry) : IPipeSpecification<ConsumeContext<TMessage>>
        where TMessage : class
    {
        public void Apply(IPipeBuilder<ConsumeContext<TMessage>> builder) => builder.AddFilter(new BrokerDelayedRedeliveryFilter<TMessage>(registry));

        public IEnumerable<ValidationResult> Validate() => [];
    }
}

/// <summary>
/// For endpoints that opted in: MassTransit's own redelivery retry filter (which counts rounds with
/// <c>MT-Redelivery-Count</c>, defers <c>Fault&lt;T&gt;</c> until the last round and rethrows then), driven by the endpoint's
/// delays, with a <see cref="MessageRedeliveryContext"/> that forwards to the endpoint's wait queues instead of a
/// scheduler. For other endpoints it only passes the message on.
/// </summary>
internal sealed class BrokerDelayedRedeliveryFilter<T>(BrokerDelayedRedelivery registry) : IFilter<ConsumeContext<T>>
    where T : class
{
    private readonly ConcurrentDictionary<string, RedeliveryRetryFilter<ConsumeContext<T>, T>> _filters = new(StringComparer.Ordinal);

    public void Probe(ProbeContext context) => context.CreateFilterScope("brokerDelayedRedelivery");

    public Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var endpoint = registry.Find(context.ReceiveContext.InputAddress);
        return endpoint is null ? next.Send(context) : SendAsync(context, next, endpoint);
    }

    private async Task SendAsync(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next, DelayedRedeliveryEndpoint endpoint)
    {
        var round = context.GetOrAddPayload(() => new DelayedRedeliveryRound(endpoint, context.GetRedeliveryCount()));
        context.GetOrAddPayload<MessageRedeliveryContext>(() => new WaitQueueRedeliveryContext(context, round, registry));
        var filter = _filters.GetOrAdd(endpoint.Queue, _ => Create(endpoint));
        await filter.Send(context, new RememberFailurePipe(next, round));
    }

    private static RedeliveryRetryFilter<ConsumeContext<T>, T> Create(DelayedRedeliveryEndpoint endpoint)
    {
        var policy = Retry.Intervals(Retry.Filter<Exception>(endpoint.Qualifies), [.. endpoint.Delays]);
        var contextPolicy = new ConsumeContextRetryPolicy<ConsumeContext<T>, RetryConsumeContext<T>>(policy, CancellationToken.None,
            (context, retryPolicy, retryContext) => new RetryConsumeContext<T>(context, retryPolicy, retryContext));
        return new RedeliveryRetryFilter<ConsumeContext<T>, T>(contextPolicy, new RetryObservable());
    }

    /// <summary>Keeps the round's last exception, for the fault headers and the log line of the forward.</summary>
    private sealed class RememberFailurePipe(IPipe<ConsumeContext<T>> next, DelayedRedeliveryRound round) : IPipe<ConsumeContext<T>>
    {
        public async Task Send(ConsumeContext<T> context)
        {
            try
            {
                await next.Send(context);
            }
            catch (Exception e)
            {
                round.LastException = e;
                throw;
            }
        }

        public void Probe(ProbeContext context) => next.Probe(context);
    }

    /// <summary>
    /// Forwards the message (MassTransit's <see cref="ForwardMessagePipe{T}"/>: same message id, correlation and conversation
    /// ids, headers and serializer) to the next wait queue's exchange, with <c>MT-Redelivery-Count</c> + 1 and the
    /// failure in the <c>MT-Fault-*</c> headers; mandatory and confirmed, so a copy that cannot be routed fails the
    /// forward instead of vanishing (the message then goes to <c>_error</c>).
    /// </summary>
    private sealed class WaitQueueRedeliveryContext(ConsumeContext<T> context, DelayedRedeliveryRound round, BrokerDelayedRedelivery registry)
        : MessageRedeliveryContext
    {
        public async Task ScheduleRedelivery(TimeSpan delay, Action<ConsumeContext, SendContext>? callback = null)
        {
            var endpoint = round.Endpoint;
            var n = round.Round + 1;
            var waitQueue = endpoint.WaitQueue(n);
            var failure = round.LastException;
            try
            {
                await registry.Topology.EnsureDeclaredAsync(endpoint, context.CancellationToken);
                var target = await context.GetSendEndpoint(new Uri($"exchange:{waitQueue}"));
                var pipe = Pipe.Execute<SendContext<T>>(send =>
                {
                    send.ApplyRedeliveryOptions(context, RedeliveryOptions.None);
                    if (failure is not null)
                    {
                        send.Headers.Set(MessageHeaders.FaultExceptionType, failure.GetType().FullName);
                        send.Headers.Set(MessageHeaders.FaultMessage, failure.Message);
                        send.Headers.Set(MessageHeaders.FaultTimestamp, DateTime.UtcNow.ToString("O"));
                    }
                    if (send.TryGetPayload(out RabbitMqSendContext? rabbit))
                    {
                        rabbit.Mandatory = true;
                        rabbit.AwaitAck = true;
                    }
                    callback?.Invoke(context, send);
                });
                await target.Send(context.Message, new ForwardMessagePipe<T>(context, pipe), context.CancellationToken);
            }
            catch (Exception e)
            {
                registry.Logger.LogError(e, "Delayed redelivery of {MessageType} {MessageId} on {Queue} to {WaitQueue} failed; the message goes to {ErrorQueue}",
                    typeof(T).Name, context.MessageId, endpoint.Queue, waitQueue, endpoint.ErrorQueue);
                throw;
            }
            registry.Logger.LogWarning(
                "{MessageType} {MessageId} (correlation id {CorrelationId}) failed on {Queue}: {Error}. Redelivery {Round} of {Rounds} in {Delay} s through {WaitQueue}",
                typeof(T).Name, context.MessageId, context.CorrelationId, endpoint.Queue, failure?.Message, n, round.Rounds, delay.TotalSeconds, waitQueue);
        }
    }
}
