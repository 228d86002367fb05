using MassTransit;

namespace OpsBot.Contracts;

/// <summary>
/// What every OpsBot message carries: the correlation id that follows one cause (a PnL update, a
/// command) through every service, and the UTC time the message was made.
/// </summary>
public interface IOpsBotMessage : CorrelatedBy<Guid>
{
    /// <summary>When the publishing service made this message (UTC).</summary>
    DateTimeOffset Timestamp { get; }
}
