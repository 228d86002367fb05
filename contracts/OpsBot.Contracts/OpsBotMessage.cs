using MassTransit;

namespace OpsBot.Contracts;

/// <summary>
/// What every OpsBot message carries: the correlation id that follows one cause (a PnL update, a
/// command) through every service, and the UTC time the message was made. No exchange is made for
/// it; it appears in an envelope's <c>messageType</c> only under its stable name <c>urn:message:opsbot.message</c>.
/// </summary>
[ExcludeFromTopology]
[MessageUrn("opsbot.message")]
public interface IOpsBotMessage : CorrelatedBy<Guid>
{
    /// <summary>When the publishing service made this message (UTC).</summary>
    DateTimeOffset Timestamp { get; }
}
