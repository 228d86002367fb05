using System.Text;
using System.Text.RegularExpressions;

namespace OpsBot.Notifier.Silences;

/// <summary>
/// Glob matching over dedup keys, as an operator types it in <c>/ops silence</c>: <c>*</c> matches any run of
/// characters (colons included), <c>?</c> one character, everything else itself; case is ignored. A matcher
/// without wildcards is one exact dedup key.
/// </summary>
public static class GlobMatcher
{
    public static Regex Compile(string glob)
    {
        var pattern = new StringBuilder("^");
        foreach (var c in glob)
        {
            pattern.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }
        pattern.Append('$');
        return new Regex(pattern.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(50));
    }

    public static bool IsMatch(string glob, string key) => Compile(glob).IsMatch(key);
}
