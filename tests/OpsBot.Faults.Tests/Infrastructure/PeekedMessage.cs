namespace OpsBot.Faults.Tests.Infrastructure;

/// <summary>A queued message seen without taking it: its body and AMQP headers (byte[] values decoded as UTF-8).</summary>
public sealed record PeekedMessage(string Body, IReadOnlyDictionary<string, string> Headers);
