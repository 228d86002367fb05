using OpsBot.ServiceDefaults;

namespace OpsBot.ServiceDefaults.Tests;

/// <summary>
/// Issue 13 item 4: one helper (<see cref="UrlRedaction"/>) prints every configured URL or connection string without
/// its credentials. Before the fix the services printed URLs with <c>GetLeftPart</c>, which keeps <c>user:password@</c>.
/// That the settings records never print REDIS_URL's password is tested with each service's record
/// (<c>PnlIngestOptionsTests</c>, <c>NotifierOptionsTests</c>).
/// </summary>
public sealed class UrlRedactionTests
{
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
}
