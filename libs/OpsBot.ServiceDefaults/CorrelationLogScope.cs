using System.Collections;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// The log scope of one consumed message: its correlation id and type, as structured values (JSON logs write each
/// one) and as one readable line (<see cref="ToString"/>, what text logs and the JSON scope's "Message" show),
/// instead of a dictionary's type name.
/// </summary>
public sealed class CorrelationLogScope(Guid? correlationId, string messageType) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public Guid? CorrelationId { get; } = correlationId;
    public string MessageType { get; } = messageType;

    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("CorrelationId", CorrelationId),
        1 => new("MessageType", MessageType),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"CorrelationId:{CorrelationId}, MessageType:{MessageType}";
}
