namespace OpsBot.Charts.Tests;

/// <summary>The operations guide's install command (docs/operations.md), with recognisable secret values.</summary>
public static class GuideInstall
{
    /// <summary>The operations guide's flags exactly as written, placeholders included.</summary>
    public const string AsWritten =
        "--set image.repository=myregistry/ops-bot --set image.tag=latest --set env.SLACK_BOT_TOKEN=... " +
        "--set env.SLACK_APP_TOKEN=... --set env.SLACK_SIGNING_SECRET=... --set env.SLACK_ALERT_CHANNEL=C12345 " +
        "--set env.TEAMS_WEBHOOK_URL=https://outlook.office.com/webhook/... --set env.ALERT_ENABLE=true " +
        "--set env.ALERT_PNL_THRESHOLD=1000";

    public static readonly IReadOnlyDictionary<string, string> Secrets = new Dictionary<string, string>
    {
        ["SLACK_BOT_TOKEN"] = "xoxb-guide-bot-token-4f2a9c",
        ["SLACK_APP_TOKEN"] = "xapp-guide-app-token-7d1e3b",
        ["SLACK_SIGNING_SECRET"] = "guide-signing-secret-90ab12",
        ["TEAMS_WEBHOOK_URL"] = "https://outlook.office.com/webhook/guide-teams-hook-5c6d",
    };

    public static readonly IReadOnlyDictionary<string, string> Plain = new Dictionary<string, string>
    {
        ["SLACK_ALERT_CHANNEL"] = "C12345",
        ["ALERT_ENABLE"] = "true",
        ["ALERT_PNL_THRESHOLD"] = "1000",
    };

    public static string[] Args(params string[] extra) =>
    [
        "--set", "image.repository=myregistry/ops-bot",
        "--set", "image.tag=latest",
        .. Secrets.SelectMany(kv => new[] { "--set", $"env.{kv.Key}={kv.Value}" }),
        .. Plain.SelectMany(kv => new[] { "--set", $"env.{kv.Key}={kv.Value}" }),
        .. extra,
    ];
}
