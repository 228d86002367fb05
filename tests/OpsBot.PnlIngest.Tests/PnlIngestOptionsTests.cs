using Microsoft.Extensions.Configuration;
using OpsBot.ServiceDefaults;

namespace OpsBot.PnlIngest.Tests;

/// <summary>pnl-ingest's settings record (issue 13 item 4: printed or logged, it never shows REDIS_URL's password).</summary>
public sealed class PnlIngestOptionsTests
{
    private static Settings With(params (string Key, string Value)[] values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void PnlIngestOptions_printed_or_logged_never_shows_the_Redis_password()
    {
        var options = PnlIngestOptions.From(With(("REDIS_URL", "redis:6379,password=redis-pw-61")));

        Assert.DoesNotContain("redis-pw-61", options.ToString());
        Assert.Contains("password=***", options.ToString());
        Assert.Equal("redis:6379,password=redis-pw-61", options.RedisUrl.Reveal()); // the value itself is intact
    }
}
