using System.Text.Json.Nodes;

namespace OpsBot.OpsBot.Tests.Fakes;

/// <summary>A Web API call or a response_url post the fake received.</summary>
public sealed record ApiCall(string Path, string? Authorization, JsonObject? Body, DateTimeOffset At);
