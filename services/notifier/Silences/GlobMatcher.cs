using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier.Silences;

/// <summary>
/// Glob matching over dedup keys, as an operator types it in <c>/ops silence</c>: <c>*</c> matches any run of
/// characters (colons included), <c>?</c> one character, <c>\</c> makes the next character literal, everything
/// else itself; case is ignored. A matcher without wildcards is one exact dedup key. The rules and the matcher
/// are <see cref="SilencePattern"/> (no regular expression: matching cannot time out or throw).
/// </summary>
public static class GlobMatcher
{
    public static bool IsMatch(string glob, string key) => SilencePattern.IsMatch(glob, key);

    /// <summary>Why the matcher is refused, or null when it is valid.</summary>
    public static string? Validate(string glob) => SilencePattern.Validate(glob);
}
