using OpsBot.Notifier.Pipeline;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier.Tests.Unit;

public sealed class NotifierOptionsTests
{
    private static Settings With(params (string Key, string Value)[] values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Defaults_follow_the_operations_guide_and_teams_alone_is_a_channel()
    {
        var options = NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", "https://prod.example/workflows/1?sig=very-secret")));
        Assert.Null(options.Slack);
        Assert.Equal(TeamsPayload.AdaptiveCard, options.Teams!.Format);
        Assert.Equal(TimeSpan.FromSeconds(60), options.DedupTtl);
        Assert.Equal(3, options.Delivery.Attempts);
        Assert.DoesNotContain("very-secret", options.Teams.ToString());
        Assert.DoesNotContain("very-secret", options.ToString());
    }

    // Issue 13, item 1: delayed redelivery is on when NOTIFIER_REDELIVERY_DELAYS is unset (the old default was off);
    // set but empty, "off" or "none" turn it off; a list is read as given.
    [Fact]
    public void Delayed_redelivery_is_on_by_default_and_empty_or_off_turn_it_off()
    {
        const string teams = "https://x/y";
        var unset = NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams)));
        Assert.Equal(new[] { 60, 300, 900, 1800, 3600 }, unset.Redelivery.Select(d => (int)d.TotalSeconds));
        Assert.Empty(NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", ""))).Redelivery);
        Assert.Empty(NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", "off"))).Redelivery);
        Assert.Empty(NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", "none"))).Redelivery);
        Assert.Equal(new[] { 2, 4 }, NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", "2, 4"))).Redelivery.Select(d => (int)d.TotalSeconds));
        var bad = Assert.Throws<SettingsException>(() => NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", "soon"))));
        Assert.Contains("NOTIFIER_REDELIVERY_DELAYS", bad.Message);
    }

    [Fact]
    public void Bad_teams_settings_fail_clearly_and_never_echo_the_webhook()
    {
        var bad = Assert.Throws<SettingsException>(() => NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", "not a url sig=very-secret"))));
        Assert.Contains("TEAMS_WEBHOOK_URL", bad.Message);
        Assert.DoesNotContain("very-secret", bad.Message);
        var format = Assert.Throws<SettingsException>(() => NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", "https://x/y"), ("TEAMS_PAYLOAD_FORMAT", "html"))));
        Assert.Contains("TEAMS_PAYLOAD_FORMAT", format.Message);
        Assert.Equal(TeamsPayload.MessageCard, NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", "https://x/y"), ("TEAMS_PAYLOAD_FORMAT", "messagecard"))).Teams!.Format);
    }

    [Fact]
    public void Dedup_identity_is_the_key_or_a_hash_of_the_text()
    {
        var a = Infrastructure.TestBus.Alert("", title: "t", text: "x");
        var b = Infrastructure.TestBus.Alert("", title: "t", text: "x");
        var c = Infrastructure.TestBus.Alert("", title: "t", text: "y");
        Assert.Equal(DedupStage.IdentityOf(a), DedupStage.IdentityOf(b));
        Assert.NotEqual(DedupStage.IdentityOf(a), DedupStage.IdentityOf(c));
        Assert.StartsWith("sha256:", DedupStage.IdentityOf(a));
        Assert.Equal("pnl-loss:a:s", DedupStage.IdentityOf(Infrastructure.TestBus.Alert("pnl-loss:a:s")));
        Assert.StartsWith("sha256:", DedupStage.IdentityOf(Infrastructure.TestBus.Alert(new string('k', 500)))); // long keys are hashed
    }

    [Fact]
    public void Notifier_refuses_to_start_without_a_channel_and_never_echoes_the_token()
    {
        var noChannel = Assert.Throws<SettingsException>(() => NotifierOptions.From(With(("SLACK_BOT_TOKEN", "xoxb-very-secret"))));
        Assert.Contains("SLACK_ALERT_CHANNEL", noChannel.Message);
        Assert.DoesNotContain("xoxb-very-secret", noChannel.Message);
        var nothing = Assert.Throws<SettingsException>(() => NotifierOptions.From(With()));
        Assert.Contains("ALERT_ENABLE=false", nothing.Message);
        var off = NotifierOptions.From(With(("ALERT_ENABLE", "false")));
        Assert.False(off.Enabled);
        var slack = NotifierOptions.From(With(("SLACK_BOT_TOKEN", "xoxb-very-secret"), ("SLACK_ALERT_CHANNEL", "C1"))).Slack!;
        Assert.Equal(new Uri("https://slack.com/api/"), slack.ApiUrl);
        Assert.DoesNotContain("xoxb-very-secret", slack.ToString());
    }

    [Fact]
    public void NotifierOptions_printed_or_logged_never_shows_the_Redis_password_or_a_token()
    {
        var options = NotifierOptions.From(With(
            ("REDIS_URL", "redis://:redis-pw-62@redis:6379/0"),
            ("SLACK_BOT_TOKEN", "xoxb-token-62"), ("SLACK_ALERT_CHANNEL", "C1"),
            ("SLACK_API_URL", "https://proxy:proxy-pw-62@slack-proxy/api/"),
            ("TEAMS_WEBHOOK_URL", "https://hooks.example/invoke?sig=teams-sig-62")));

        var printed = options.ToString();
        Assert.DoesNotContain("redis-pw-62", printed);
        Assert.DoesNotContain("xoxb-token-62", printed);
        Assert.DoesNotContain("proxy-pw-62", printed);
        Assert.DoesNotContain("teams-sig-62", printed);
        Assert.Contains("redis://***@redis:6379/0", printed);
    }
}
