using Microsoft.Extensions.Logging.Testing;

namespace OpsBot.Testing;

/// <summary>
/// What a host logged into a <see cref="FakeLogCollector"/> (Microsoft.Extensions.Diagnostics.Testing), as text: for
/// assertions on a line and for "no secret is ever logged" checks, and for the message of a wait that timed out.
/// </summary>
public static class FakeLogText
{
    /// <summary>One line per record: level, category, message, its structured values (<c>key=value</c>) and the exception.</summary>
    public static IReadOnlyList<string> Lines(this FakeLogCollector logs) => logs.GetSnapshot().Select(Line).ToArray();

    /// <summary>Every <see cref="Lines"/>, one a line.</summary>
    public static string All(this FakeLogCollector logs) => string.Join('\n', logs.Lines());

    private static string Line(FakeLogRecord record) =>
        $"{record.Level} {record.Category}: {record.Message} {string.Join(' ', (record.StructuredState ?? []).Select(p => $"{p.Key}={p.Value}"))} {record.Exception}";
}
