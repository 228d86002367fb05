namespace OpsBot.FakeSlack;

/// <summary>
/// <c>OpsBot.FakeSlack command '/ops pnl momentum'</c> (what scripts/slack runs): sends one signed slash command to
/// ops-bot and prints its answer as Slack shows it. Environment: <c>OPS_BOT_URL</c> (default http://127.0.0.1:8084/),
/// <c>SLACK_SIGNING_SECRET</c> (required), <c>SLACK_USER_ID</c> (U0DEMO), <c>SLACK_CHANNEL_ID</c> (C0DEMO).
/// Exit code 0 when ops-bot answered (an error message about the command is an answer too), 1 when it refused the
/// request, could not be reached or sent no answer, 2 on bad usage.
/// </summary>
public static class SlashCommandCli
{
    public const string Usage = "usage: scripts/slack '/ops <command> [arguments]'   e.g. scripts/slack '/ops pnl momentum'";

    /// <summary>The words typed, as Slack splits them: the command (<c>/ops</c> when not given) and the text after it.</summary>
    public static (string Command, string Text)? Parse(IReadOnlyList<string> args)
    {
        var typed = string.Join(' ', args).Trim();
        if (typed.Length == 0) return null;
        if (!typed.StartsWith('/')) return ("/ops", typed);
        var space = typed.IndexOf(' ');
        return space < 0 ? (typed, "") : (typed[..space], typed[(space + 1)..].Trim());
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        if (Parse(args) is not { } parsed)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var (command, text) = parsed;
        var secret = environment("SLACK_SIGNING_SECRET");
        if (string.IsNullOrEmpty(secret))
        {
            Console.Error.WriteLine("slack: SLACK_SIGNING_SECRET is not set (scripts/slack reads the running demo's from its env file: is scripts/demo.sh running?)");
            return 2;
        }
        var raw = environment("OPS_BOT_URL") is { Length: > 0 } u ? u : "http://127.0.0.1:8084/";
        if (!Uri.TryCreate(raw.EndsWith('/') ? raw : raw + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"slack: OPS_BOT_URL must be an http(s) URL, got '{raw}'");
            return 2;
        }
        var options = new SlashCommandOptions(url, secret)
        {
            UserId = environment("SLACK_USER_ID") is { Length: > 0 } user ? user : "U0DEMO",
            ChannelId = environment("SLACK_CHANNEL_ID") is { Length: > 0 } channel ? channel : "C0DEMO",
        };

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var result = await new SlashCommandSender(options, http, TimeProvider.System).SendAsync(command, text, CancellationToken.None);
        var typed = $"{command} {text}".Trim();
        if (result.Answer is not { } answer)
        {
            Console.Error.WriteLine($"slack: {typed}: {result.Detail}");
            return 1;
        }
        var visibility = answer["response_type"]?.ToString() == "in_channel" ? "in the channel" : "only visible to you";
        Console.WriteLine($"──── {typed} → ops-bot ({result.Detail}; {visibility})");
        foreach (var line in SlackMessagePrinter.BodyLines(answer)) Console.WriteLine(line);
        return 0;
    }
}
