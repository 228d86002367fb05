using OpsBot.ServiceDefaults;

namespace OpsBot.ServiceDefaults.Tests;

/// <summary><c>RABBITMQ_URL</c> naming several cluster nodes (before: one host only, a comma was a parse error).</summary>
public sealed class RabbitMqClusterUrlTests
{
    [Fact]
    public void A_url_with_several_nodes_names_each_node_with_shared_credentials_and_vhost()
    {
        var address = RabbitMqAddress.Parse("amqp://ops%40bot:s3cr%2Ft@rabbit-0:5672,rabbit-1:5673,rabbit-2/trading");
        Assert.True(address.IsCluster);
        Assert.Equal([new RabbitMqNode("rabbit-0", 5672), new RabbitMqNode("rabbit-1", 5673), new RabbitMqNode("rabbit-2", 5672)], address.Nodes);
        Assert.Equal(("rabbit-0", (ushort)5672, "trading", "ops@bot", "s3cr/t", false), (address.Host, address.Port, address.VirtualHost, address.Username, address.Password, address.UseTls));
        Assert.Equal("amqp://ops@bot@rabbit-0:5672,rabbit-1:5673,rabbit-2:5672/trading", address.ToString()); // never the password
    }

    [Fact]
    public void Tls_ipv6_and_a_single_node_keep_their_meaning()
    {
        var tls = RabbitMqAddress.Parse("amqps://u:p@[::1]:5671,10.0.0.2/");
        Assert.True(tls.UseTls);
        Assert.Equal([new RabbitMqNode("::1", 5671), new RabbitMqNode("10.0.0.2", 5671)], tls.Nodes);
        Assert.Equal("[::1]:5671", tls.Nodes[0].ToString());
        var single = RabbitMqAddress.Parse("amqp://guest:guest@127.0.0.1:24620/");
        Assert.False(single.IsCluster);
        Assert.Equal(("127.0.0.1", (ushort)24620, "/"), (single.Host, single.Port, single.VirtualHost));
    }

    [Theory]
    [InlineData("amqp://u:p@h1:5672,,h2:5672/")]
    [InlineData("amqp://u:p@h1:notaport/")]
    [InlineData("amqp://u:p@h1:0/")]
    [InlineData("amqp://u:p@/")]
    public void A_malformed_node_is_a_clear_error_that_never_echoes_the_password(string url)
    {
        var error = Assert.Throws<SettingsException>(() => RabbitMqAddress.Parse(url));
        Assert.StartsWith("RABBITMQ_URL", error.Message);
        Assert.DoesNotContain("u:p", error.Message);
    }
}
