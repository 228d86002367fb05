namespace OpsBot.EndToEnd.Tests;

/// <summary>One span as an OTLP collector received it.</summary>
public sealed record ReceivedSpan(
    string Service,
    string Scope,
    string Name,
    int Kind,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    ulong StartUnixNano,
    ulong EndUnixNano,
    int StatusCode,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links)
{
    public const int KindServer = 2, KindClient = 3, KindProducer = 4, KindConsumer = 5;

    public TimeSpan Duration => TimeSpan.FromTicks((long)(EndUnixNano - StartUnixNano) / 100);

    public string? Attribute(string key) => Attributes.TryGetValue(key, out var v) ? v : null;
}
