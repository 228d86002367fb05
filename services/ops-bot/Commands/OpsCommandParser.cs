using System.Globalization;
using System.Text.RegularExpressions;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.Commands;

/// <summary>
/// Turns the text after <c>/ops</c> into a typed command, or an <see cref="InvalidCommand"/> carrying the
/// usage line of the command that was meant (or of all commands).
/// </summary>
public sealed partial class OpsCommandParser
{
    public const int MaxArgumentLength = 200;
    public static readonly TimeSpan MaxSilence = TimeSpan.FromDays(7);
    public const int MaxReasonLength = 300;

    public static readonly IReadOnlyDictionary<string, string> Usages = new Dictionary<string, string>
    {
        ["help"] = "/ops help",
        ["status"] = "/ops status",
        ["pnl"] = "/ops pnl [strategy]",
        ["risk"] = "/ops risk [symbol]",
        ["alerts"] = "/ops alerts",
        ["ack"] = "/ops ack <dedup-key>",
        ["resolve"] = "/ops resolve <dedup-key> [reason]",
        ["silence"] = "/ops silence <dedup-key|pattern> <duration, e.g. 30m, 2h, 1d>",
        ["unsilence"] = "/ops unsilence <dedup-key|pattern>",
        ["killswitch"] = "/ops killswitch engage|release <scope>",
        ["parity"] = "/ops parity",
    };

    public static string AllUsages => "Usage: " + string.Join(" | ", Usages.Values);

    public OpsCommand Parse(string? text)
    {
        var raw = (text ?? "").Trim();
        var words = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return new HelpCommand(raw);
        var verb = words[0].ToLowerInvariant();
        var args = words[1..];
        if (args.Any(a => a.Length > MaxArgumentLength)) return Invalid(raw, verb, $"an argument is longer than {MaxArgumentLength} characters");

        return verb switch
        {
            "help" => NoArgs(raw, verb, args) ?? new HelpCommand(raw),
            "status" => NoArgs(raw, verb, args) ?? new StatusCommand(raw),
            "alerts" => NoArgs(raw, verb, args) ?? new AlertsCommand(raw),
            "parity" => NoArgs(raw, verb, args) ?? new ParityCommand(raw),
            "pnl" => args.Length <= 1 ? new PnlCommand(raw, args.FirstOrDefault()) : Invalid(raw, verb, "too many arguments"),
            "risk" => args.Length <= 1 ? new RiskCommand(raw, args.FirstOrDefault()?.ToUpperInvariant()) : Invalid(raw, verb, "too many arguments"),
            "ack" => args.Length == 1 ? (OpsCommand?)KeyProblem(raw, verb, args[0]) ?? new AckCommand(raw, args[0]) : Invalid(raw, verb, "give one dedup key (see /ops alerts)"),
            "resolve" => ParseResolve(raw, args),
            "silence" => ParseSilence(raw, args),
            "unsilence" => ParseUnsilence(raw, args),
            "killswitch" => ParseKillSwitch(raw, args),
            _ => new InvalidCommand(raw, $"unknown command '{Shorten(words[0])}'", AllUsages),
        };
    }

    /// <summary>Durations like <c>90s</c>, <c>30m</c>, <c>2h</c>, <c>1d</c>, <c>1h30m</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text.ToLowerInvariant());
        if (!match.Success) return false;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value[^1];
            if (!int.TryParse(part.Value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000) return false;
            duration += unit switch
            {
                'd' => TimeSpan.FromDays(n),
                'h' => TimeSpan.FromHours(n),
                'm' => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromSeconds(n),
            };
        }
        return duration > TimeSpan.Zero;
    }

    private static OpsCommand ParseSilence(string raw, string[] args)
    {
        if (args.Length != 2) return Invalid(raw, "silence", "give a dedup key or pattern and a duration");
        if (MatcherProblem(args[0]) is { } problem) return Invalid(raw, "silence", problem);
        if (!TryParseDuration(args[1], out var duration)) return Invalid(raw, "silence", $"'{Shorten(args[1])}' is not a duration");
        if (duration > MaxSilence) return Invalid(raw, "silence", "a silence lasts at most 7 days");
        return new SilenceCommand(raw, args[0], duration);
    }

    private static OpsCommand ParseUnsilence(string raw, string[] args)
    {
        if (args.Length != 1) return Invalid(raw, "unsilence", "give one dedup key or pattern");
        // Only the characters: a silence stored before the stricter rules (more * than allowed) can still be lifted.
        return MatcherPattern().IsMatch(args[0]) ? new UnsilenceCommand(raw, args[0]) : Invalid(raw, "unsilence", CharactersProblem);
    }

    /// <summary>
    /// Why a typed key or pattern is refused, or null: the characters of dedup keys plus the wildcards <c>*</c>, <c>?</c>
    /// and the escape <c>\</c>, and the shared rules of <see cref="SilencePattern.Validate"/> (at most
    /// <see cref="SilencePattern.MaxStars"/> <c>*</c>, no lone <c>\</c> at the end).
    /// </summary>
    public static string? MatcherProblem(string text) =>
        !MatcherPattern().IsMatch(text) ? CharactersProblem : SilencePattern.Validate(text);

    private const string CharactersProblem = "the key or pattern may use letters, digits, - _ . : / and the wildcards * ? (\\ makes the next character literal) only";

    private static OpsCommand ParseResolve(string raw, string[] args)
    {
        if (args.Length == 0) return Invalid(raw, "resolve", "give the dedup key of an open incident (see /ops alerts) and, if you like, a reason");
        if (KeyProblem(raw, "resolve", args[0]) is { } problem) return problem;
        // the reason as typed (spaces kept), after the verb and the key
        var reason = args.Length > 1 ? raw.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries)[2].Trim() : null;
        if (reason is { Length: > MaxReasonLength }) return Invalid(raw, "resolve", $"the reason is longer than {MaxReasonLength} characters");
        return new ResolveCommand(raw, args[0], reason);
    }

    private static InvalidCommand? KeyProblem(string raw, string verb, string key) =>
        KeyPattern().IsMatch(key) ? null : Invalid(raw, verb, "a dedup key may use letters, digits and - _ . : / only");

    private static OpsCommand ParseKillSwitch(string raw, string[] args)
    {
        if (args.Length != 2) return Invalid(raw, "killswitch", "give engage or release and a scope");
        var action = args[0].ToLowerInvariant();
        if (action is not ("engage" or "release")) return Invalid(raw, "killswitch", $"'{Shorten(args[0])}' is neither engage nor release");
        if (!ScopePattern().IsMatch(args[1])) return Invalid(raw, "killswitch", "the scope may use letters, digits, - _ . : only");
        return new KillSwitchCommand(raw, action == "engage", args[1]);
    }

    private static OpsCommand? NoArgs(string raw, string verb, string[] args) =>
        args.Length == 0 ? null : Invalid(raw, verb, "takes no arguments");

    private static InvalidCommand Invalid(string raw, string verb, string problem) => new(raw, problem, "Usage: " + Usages[verb]);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex(@"^(?<part>\d+[smhd])+$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_\-.:/*?\\]{1,200}$")]
    private static partial Regex MatcherPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_\-.:/]{1,200}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_\-.:]{1,100}$")]
    private static partial Regex ScopePattern();
}
