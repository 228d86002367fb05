using System.Text.Json.Nodes;

namespace OpsBot.OpsBot.Tests.Fakes;

/// <summary>An acknowledgement the fake received: which envelope, its payload, and how long after the envelope was sent.</summary>
public sealed record AckRecord(string EnvelopeId, JsonObject? Payload, TimeSpan Latency);
