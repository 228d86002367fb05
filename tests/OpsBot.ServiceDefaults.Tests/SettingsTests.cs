using Microsoft.Extensions.Configuration;
using OpsBot.ServiceDefaults;

namespace OpsBot.ServiceDefaults.Tests;

public sealed class SettingsTests
{
    private static Settings With(params (string Key, string Value)[] values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Defaults_apply_and_values_parse()
    {
        var settings = With(("ALERT_PNL_THRESHOLD", "2500.5"), ("ALERT_ENABLE", "false"), ("ALERT_DEDUP_TTL", "90"));
        Assert.Equal(2500.5m, settings.Decimal("ALERT_PNL_THRESHOLD", 1000m));
        Assert.False(settings.Bool("ALERT_ENABLE", true));
        Assert.Equal(90, settings.Int("ALERT_DEDUP_TTL", 60));
        Assert.Equal(8080, settings.Int("HEALTH_PORT", 8080));
        Assert.Equal("pnl", settings.String("PNL_CHANNEL", "pnl"));
    }

    [Theory]
    [InlineData("ALERT_PNL_THRESHOLD", "lots", "ALERT_PNL_THRESHOLD must be a number, got 'lots'.")]
    [InlineData("ALERT_ENABLE", "maybe", "ALERT_ENABLE must be true or false, got 'maybe'.")]
    [InlineData("HEALTH_PORT", "99999", "HEALTH_PORT must be between 0 and 65535, got 99999.")]
    public void Bad_values_name_the_setting(string name, string value, string message)
    {
        var settings = With((name, value));
        var e = Assert.Throws<SettingsException>(() =>
        {
            _ = name switch
            {
                "ALERT_PNL_THRESHOLD" => (object)settings.Decimal(name, 1000m),
                "ALERT_ENABLE" => settings.Bool(name, true),
                _ => settings.Int(name, 8080, 0, 65535),
            };
        });
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void RabbitMq_url_is_parsed_and_printed_without_its_password()
    {
        var address = RabbitMqAddress.Parse("amqp://ops%40bot:s3cr%2Ft@rabbit.internal:5673/trading");
        Assert.Equal(("rabbit.internal", (ushort)5673, "trading", "ops@bot", "s3cr/t"), (address.Host, address.Port, address.VirtualHost, address.Username, address.Password));
        Assert.DoesNotContain("s3cr", address.ToString());
        Assert.Equal("/", RabbitMqAddress.Parse("amqp://localhost").VirtualHost);
        Assert.Throws<SettingsException>(() => RabbitMqAddress.Parse("http://localhost"));
    }

    [Fact]
    public void Redis_url_accepts_the_uri_form_and_the_configuration_form()
    {
        var fromUri = RedisConnection.ParseUrl("redis://:pw@10.0.0.5:6380/2");
        Assert.Equal("10.0.0.5:6380", fromUri.EndPoints.Single().ToString());
        Assert.Equal("pw", fromUri.Password);
        Assert.Equal(2, fromUri.DefaultDatabase);
        Assert.False(fromUri.AbortOnConnectFail);
        var fromConfig = RedisConnection.ParseUrl("127.0.0.1:7000,password=x");
        Assert.Equal("x", fromConfig.Password);
    }
}
