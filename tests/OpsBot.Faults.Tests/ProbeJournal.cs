using System.Collections.Concurrent;

namespace OpsBot.Faults.Tests;

public sealed class ProbeJournal
{
    public ConcurrentQueue<ProbeAttempt> Attempts { get; } = new();
    public IReadOnlyList<ProbeAttempt> Of(Guid id) => Attempts.Where(a => a.Id == id).ToList();
}
