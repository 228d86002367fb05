namespace OpsBot.ServiceDefaults;

/// <summary>
/// Silence matchers, shared by the ops-bot (which makes them) and the notifier (which stores and applies them):
/// a glob over dedup keys where <c>*</c> is any run of characters, <c>?</c> one character and <c>\</c> makes the
/// next character literal (<c>\*</c>, <c>\?</c>, <c>\\</c>); everything else is itself; case is ignored.
/// <para>
/// Matching is a small two-pointer glob matcher without regular expressions: its work is bounded by
/// key length × pattern length, it allocates nothing and it cannot time out or throw, so no stored pattern can
/// fail a delivery. <see cref="Validate"/> refuses what no operator means (too long, control characters, a
/// dangling <c>\</c>, more than <see cref="MaxStars"/> <c>*</c>) where a pattern is made and again where it is stored.
/// </para>
/// </summary>
public static class SilencePattern
{
    public const int MaxLength = 400;
    public const int MaxStars = 8;

    /// <summary>The pattern that matches exactly <paramref name="key"/>: <c>*</c>, <c>?</c> and <c>\</c> escaped with <c>\</c>.</summary>
    public static string Escape(string key)
    {
        var escaped = new System.Text.StringBuilder(key.Length + 4);
        foreach (var c in key)
        {
            if (c is '*' or '?' or '\\') escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    /// <summary>Why <paramref name="pattern"/> is refused, or null when it is a valid matcher.</summary>
    public static string? Validate(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern)) return "the pattern is empty";
        if (pattern.Length > MaxLength) return $"the pattern is longer than {MaxLength} characters";
        var stars = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (char.IsControl(c) || char.IsWhiteSpace(c)) return "the pattern contains a space or a control character";
            if (c == '\\')
            {
                if (i == pattern.Length - 1) return "the pattern ends with a lone \\ (write \\\\ for a backslash)";
                i++;
            }
            else if (c == '*' && ++stars > MaxStars) return $"the pattern has more than {MaxStars} * wildcards";
        }
        return null;
    }

    /// <summary>Whether <paramref name="key"/> matches <paramref name="pattern"/>. An invalid pattern matches nothing.</summary>
    public static bool IsMatch(string pattern, string key)
    {
        if (Validate(pattern) is not null) return false;
        int p = 0, k = 0, starP = -1, starK = 0;
        while (k < key.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                // Remember the star and first let it match nothing.
                starP = ++p;
                starK = k;
                continue;
            }
            if (p < pattern.Length && StepMatches(pattern, ref p, key[k]))
            {
                k++;
                continue;
            }
            if (starP < 0) return false;
            // Backtrack: the last star takes one more character of the key.
            p = starP;
            k = ++starK;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    /// <summary>True when the pattern element at <paramref name="p"/> (a literal, <c>\x</c> or <c>?</c>) matches <paramref name="c"/>; advances past it then.</summary>
    private static bool StepMatches(string pattern, ref int p, char c)
    {
        var element = pattern[p];
        if (element == '?') { p++; return true; }
        var width = 1;
        if (element == '\\') { element = pattern[p + 1]; width = 2; }
        if (char.ToUpperInvariant(element) != char.ToUpperInvariant(c)) return false;
        p += width;
        return true;
    }
}
