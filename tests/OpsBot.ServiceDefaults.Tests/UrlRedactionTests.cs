using Microsoft.Extensions.Configuration;
using OpsBot.Notifier;
using OpsBot.PnlIngest;
using OpsBot.ServiceDefaults;

namespace OpsBot.Tests.ServiceDefaults;

/// <summary>
/// Issue 13 item 4: one helper (<see cref="UrlRedaction"/>) prints every configured URL or connection string without
/// its credentials, and the settings records never print REDIS_URL's password. Before the fix the records printed
/// REDIS_URL whole and the services printed URLs with <c>GetLeftPart</c>, which keeps <c>user:password@</c>.
/// </summary>
public sealed class UrlRedactionTests
{
    private static Settings With(params (string Key, string Value)[] values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Theory]
    [InlineData("https://scraper:s3cret-pw@platform:9100/metrics", "https://***@platform:9100/metrics")]
    [InlineData("wss://feed:s3cret-pw@exchange.example.com/ws?session=raw", "wss://***@exchange.example.com/ws?session=raw")]
    [InlineData("http://127.0.0.1:8200", "http://127.0.0.1:8200/")]
    [InlineData("amqp://opsbot:s3cret-pw@rabbitmq:5672/prod", "amqp://***@rabbitmq:5672/prod")]
    [InlineData("redis://:s3cret-pw@redis:6379/2", "redis://***@redis:6379/2")]
    [InlineData("redis:6379,password=s3cret-pw,ssl=true", "redis:6379,password=***,ssl=true")]
    [InlineData("redis-a:6379,redis-b:6379,serviceName=m,user=app,Password=s3cret-pw", "redis-a:6379,redis-b:6379,serviceName=m,user=app,Password=***")]
    [InlineData("https://platform/metrics?token=s3cret-pw&job=x#frag", "https://platform/metrics?token=***&job=x")]
    [InlineData("https://hooks.example/invoke?api-version=1&sig=s3cret-pw", "https://hooks.example/invoke?api-version=1&sig=***")]
    [InlineData("localhost:6379", "localhost:6379")]
    public void Redacts_user_info_and_credential_options_and_keeps_where(string value, string expected)
    {
        Assert.Equal(expected, UrlRedaction.Redact(value));
        Assert.DoesNotContain("s3cret-pw", UrlRedaction.Redact(value));
    }

    [Fact]
    public void Text_that_is_not_a_valid_URL_still_loses_its_user_info()
    {
        var redacted = UrlRedaction.Redact("amqp://opsbot:s3cret pw@rabbit mq:5672/");
        Assert.DoesNotContain("s3cret", redacted);
        Assert.Contains("//***@", redacted);
    }

    [Fact]
    public void Uri_form_drops_user_info()
    {
        Assert.Equal("https://***@vault:8200/v1", UrlRedaction.Redact(new Uri("https://root:s3cret-pw@vault:8200/v1")));
    }

    [Fact]
    public void PnlIngestOptions_printed_or_logged_never_shows_the_Redis_password()
    {
        var options = PnlIngestOptions.From(With(("REDIS_URL", "redis:6379,password=redis-pw-61")));

        Assert.DoesNotContain("redis-pw-61", options.ToString());
        Assert.Contains("password=***", options.ToString());
        Assert.Equal("redis:6379,password=redis-pw-61", options.RedisUrl.Reveal()); // the value itself is intact
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
