using MassTransit;
using Microsoft.Extensions.Logging;

namespace OpsBot.ServiceDefaults;

/// <summary>Puts the message's correlation id (and type) into the log scope of everything its consumer logs.</summary>
public sealed class CorrelationLogScopeFilter<T>(ILogger<CorrelationLogScopeFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        using (logger.BeginScope(new CorrelationLogScope(context.CorrelationId ?? context.MessageId, typeof(T).Name)))
        {
            await next.Send(context);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("correlation-log-scope");
}
